"""評価表 (goal evaluation): selectors, the save service and the printable sheet.

    selectors.evaluation_rows(plan=..., today=...)   the goals to evaluate, prefilled
    services.evaluation_record(actor=..., ...)       create or correct a sheet (one transaction)
    printing.evaluation_print(actor=..., sheet=...)  the A4-landscape PDF through caremgmt.printing

See docs/evaluation.md.
"""
