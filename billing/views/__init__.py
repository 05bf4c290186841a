"""billing views, one module per sub-area; each module exposes `urlpatterns`.

* editor    — month list, ticket editor, limit panel, allocation, regenerate
  (editor_rows: row forms, allocation, regenerate; editor_context: what the editor shows)
* delivery  — 交付・同意, versions, copies, 提供票 sends
* printing  — PDFs of one ticket and the whole-month print run
* exchange  — ケアプランデータ連携 files of the month (UPPLAN/UPSIKYU/UPHOSOKU/DLTPLAN)
"""
