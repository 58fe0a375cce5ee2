"""
Rules of the PDF certificate of a term, with a QR code to its public verification page.
"""
from io import BytesIO

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from openedx_distinguished.credentials import get_credential, url
from openedx_distinguished.data import CredentialStatus

ACCENT = HexColor("#0b3d91")
GOLD = HexColor("#f0b429")


def _qr(text: str, size: float) -> Drawing:
    """A QR code of ``text``, ``size`` points square."""
    widget = QrCodeWidget(text)
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0])
    drawing.add(widget)
    return drawing


def certificate_pdf(*, public_id: str, issuer_name: str) -> bytes:
    """
    A one-page landscape certificate: holder, track, term, issuer, the credential id and a QR code
    to the verification page (where anyone can check it is still valid).

    Raises:
        NotFound: no such credential.
    """
    credential = get_credential(public_id=public_id)
    verify_url = url(f"verify/{credential.public_id}/")
    buffer = BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(f"{credential.track_name} — {credential.holder_display_name}")
    pdf.setAuthor(issuer_name)
    pdf.setSubject("Distinguished Contributor certificate")
    pdf.setStrokeColor(GOLD)
    pdf.setLineWidth(6)
    pdf.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    pdf.setFillColor(ACCENT)
    pdf.setFont("Helvetica", 16)
    pdf.drawCentredString(width / 2, height - 45 * mm, issuer_name.upper())
    pdf.setFont("Helvetica-Bold", 30)
    pdf.drawCentredString(width / 2, height - 65 * mm, "Certificate of Recognition")
    pdf.setFillColor(HexColor("#1b1b1b"))
    pdf.setFont("Helvetica", 14)
    pdf.drawCentredString(width / 2, height - 82 * mm, "This certifies that")
    pdf.setFont("Helvetica-Bold", 28)
    pdf.drawCentredString(width / 2, height - 98 * mm, credential.holder_display_name)
    pdf.setFont("Helvetica", 14)
    pdf.drawCentredString(width / 2, height - 112 * mm, "is recognised as")
    pdf.setFont("Helvetica-Bold", 22)
    pdf.setFillColor(ACCENT)
    pdf.drawCentredString(width / 2, height - 126 * mm, credential.track_name)
    pdf.setFillColor(HexColor("#1b1b1b"))
    pdf.setFont("Helvetica", 12)
    until = credential.valid_until.strftime("%d %B %Y") if credential.valid_until else "lifetime"
    term = "Lifetime member since " if credential.lifetime else "Term: "
    period = (f"{term}{credential.valid_from:%d %B %Y}" if credential.lifetime
              else f"{term}{credential.valid_from:%d %B %Y} – {until}")
    pdf.drawCentredString(width / 2, height - 138 * mm, period)
    if credential.status != CredentialStatus.VALID:
        pdf.setFillColor(HexColor("#b00020"))
        pdf.drawCentredString(width / 2, height - 146 * mm, f"Status: {credential.status.value.upper()}")
        pdf.setFillColor(HexColor("#1b1b1b"))
    renderPDF.draw(_qr(verify_url, 32 * mm), pdf, width - 56 * mm, 22 * mm)
    pdf.setFont("Helvetica", 8)
    pdf.drawString(24 * mm, 26 * mm, f"Verify: {verify_url}")
    pdf.drawString(24 * mm, 21 * mm, f"Credential {credential.public_id}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
