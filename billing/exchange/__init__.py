"""ケアプランデータ連携 of the month: 第6表予定 UPPLAN, 第7表 UPSIKYU, 利用者補足 UPHOSOKU and
第6表予定削除 DLTPLAN, built from the ticket's document snapshot (docs/ticket_exchange.md).

* `layouts` — the record layouts (the plan exporter's Layout/FieldSpec machinery)
* `records` — rows of one client-month from a snapshot (pure; no query, no money arithmetic)
* `files`   — what is exported per client-month, file sets per recipient, the zip
"""
