"""PDF printing shared by care plans and tickets (WeasyPrint in a Celery task).

* `services.print_job_request(...)` — hash the HTML, return the cached job or queue a new one
* `selectors.print_job_for(actor, pk)` — the one authorised lookup (office + client check)
* `registry.register_client_check(...)` — how `clients` plugs in its caseload rule
* `rendering.render_pdf(html)` — WeasyPrint with the print stylesheet and a local-only fetcher
* views `printing:status` (htmx polling), `printing:download`, `printing:retry`

Kept import-light: `caremgmt.models.printing` imports `caremgmt.printing.tasks` at load time.
See docs/printing.md.
"""
