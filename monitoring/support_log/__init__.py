"""支援経過 (第5表): writing entries (services), reading the log (selectors), source links
(links) and the PDF (printing). See docs/support_log.md."""
