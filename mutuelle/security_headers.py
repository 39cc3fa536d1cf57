"""Security headers that django-csp and Django's SecurityMiddleware do not set.

- Permissions-Policy on every response: the portal uses no camera, microphone,
  location, payment or sensor API, so no page (nor anything injected into one) can.
- Every file served from storage (``FileResponse``: proofs, PDFs, exports) gets
  ``Content-Security-Policy: sandbox`` and ``nosniff``: even a file that slipped through
  the upload checks can run no script, send no form, reach no cookie of the site.
"""

from django.http import FileResponse

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "browsing-topics",
    )
)
STORED_FILE_CSP = "sandbox"


class SecurityHeadersMiddleware:
    """Placed after django-csp's middleware: its answer runs first, and django-csp keeps
    a Content-Security-Policy already set."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if isinstance(response, FileResponse):
            response.headers["Content-Security-Policy"] = STORED_FILE_CSP
            response.headers["X-Content-Type-Options"] = "nosniff"
        return response
