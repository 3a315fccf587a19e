"""The return label: a PDF rendered back to pixels (pypdfium2) whose Code 128 decodes to the RMA id
(zxing-cpp), and whose text names the order, SKU, addresses — never a buyer's name or e-mail."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest
import zxingcpp

from sellerops.returns.label import NO_ADDRESS, LabelRequest, PdfLabels, file_name


def render(path):
    pdf = pdfium.PdfDocument(str(path))
    page = pdf[0]
    image = page.render(scale=4).to_pil()
    text = page.get_textpage().get_text_range()
    return image, text


@pytest.mark.parametrize("rma", ["DdXk7LmRRMA", "Dq9-ZzR2b/01"])
def test_the_barcode_decodes_back_to_the_rma_id(tmp_path, rma):
    req = LabelRequest(rma, "113-0000001-0000001", "MUG-BLUE", 2, "Amazon.com", "Acme Returns, 1 Dock Rd, Reno NV 89501",
                       "SEATTLE", "WA", "98101", "US")
    path = PdfLabels().write(req, tmp_path)
    assert path.is_absolute() and path.name == file_name(rma) and path.read_bytes().startswith(b"%PDF")
    image, text = render(path)
    found = zxingcpp.read_barcodes(image)
    assert [(b.format, b.text) for b in found] == [(zxingcpp.BarcodeFormat.Code128, rma)]
    for shown in ("113-0000001-0000001", "MUG-BLUE", "Acme Returns", "SEATTLE", "WA", "98101"):
        assert shown in text


def test_without_a_return_address_the_label_says_so(tmp_path):
    path = PdfLabels().write(LabelRequest("R1", "O1", "S", 1, "Amazon.de", None), tmp_path)
    _, text = render(path)
    assert "NO RETURN ADDRESS" in text and NO_ADDRESS.split(" - ")[0] in text.replace("\r\n", " ")
