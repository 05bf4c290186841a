"""The monthly 利用票 (第6表), its 別表 (第7表) and the 提供票: plain functions and services.

* `month`     — calendar helpers (the month's dates, holidays via jpholiday)
* `inputs`    — a ticket (rows + register) as the engine's `ClientMonth`
* `compute`   — `ticket_figures(ticket)`: the engine's 別表 plus 公費/給付制限 effects
* `generate`  — build or refresh a month's rows from the confirmed plan
* `services`  — every edit (version-locked, recomputed, cached totals kept in step)
* `checks`    — plan checks shown on the ticket (warnings with the rule's name)

Money comes only from `billing.calc.calculate_client_month` with the database fee schedule.
"""
