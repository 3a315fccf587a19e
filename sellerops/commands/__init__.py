"""The command line's procedure groups, one module each, registered in `sellerops.cli`."""
