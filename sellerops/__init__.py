"""sellerops: an Amazon seller\x27s SOPs as code."""
