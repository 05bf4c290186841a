"""ケアプランデータ連携 CSV (spec v4.1) — pure Python, no Django.

One module per file type, reader and writer side by side, the layout as data:

* `up1kyo`   第1表   `Table1Record`      `write_up1kyo` / `read_up1kyo` / `parse_up1kyo`
* `up2kyo`   第2表   `Table2Row`         `write_up2kyo` / `read_up2kyo` / `parse_up2kyo`
* `up3kyo`   第3表   `Table3Row`         `write_up3kyo` / `read_up3kyo` / `parse_up3kyo`
* `uphosoku` 利用者補足 `SupplementRecord` `write_uphosoku` / `read_uphosoku` / `parse_uphosoku`
* `unit`     送信単位 `SendingUnit` → `build_sending_unit` → {file name: bytes};
             `read_sending_unit` parses a received unit back
* `layout`   shared format rules (MS932, quoting, kinds), `WriteOptions`, errors, reports
* `ms932`    the visible-replacement rule for characters outside MS932
* `filenames` the §3.3 file-name format

See docs/exchange.md.
"""

from careplans.exchange.filenames import ExchangeFileName, sequence_for
from careplans.exchange.layout import (
    DEFAULT_CSV_VERSION,
    DEFAULT_LINE_ENDING,
    CsvReadError,
    CsvWriteError,
    ExchangeError,
    FieldProblem,
    FieldSpec,
    Layout,
    ParsedFile,
    Substitution,
    WriteOptions,
)
from careplans.exchange.ms932 import REPLACEMENT_CHARACTER, to_ms932_text
from careplans.exchange.unit import (
    ReceivedPlan,
    ReceivedUnit,
    SendingUnit,
    build_sending_unit,
    read_sending_unit,
)
from careplans.exchange.up1kyo import UP1KYO, Table1Record, parse_up1kyo, read_up1kyo, write_up1kyo
from careplans.exchange.up2kyo import UP2KYO, Table2Row, parse_up2kyo, read_up2kyo, write_up2kyo
from careplans.exchange.up3kyo import UP3KYO, Table3Row, parse_up3kyo, read_up3kyo, write_up3kyo
from careplans.exchange.uphosoku import (
    UPHOSOKU,
    ServiceTypeLimit,
    SupplementRecord,
    parse_uphosoku,
    read_uphosoku,
    write_uphosoku,
)

__all__ = [
    "DEFAULT_CSV_VERSION",
    "DEFAULT_LINE_ENDING",
    "REPLACEMENT_CHARACTER",
    "UP1KYO",
    "UP2KYO",
    "UP3KYO",
    "UPHOSOKU",
    "CsvReadError",
    "CsvWriteError",
    "ExchangeError",
    "ExchangeFileName",
    "FieldProblem",
    "FieldSpec",
    "Layout",
    "ParsedFile",
    "ReceivedPlan",
    "ReceivedUnit",
    "SendingUnit",
    "ServiceTypeLimit",
    "Substitution",
    "SupplementRecord",
    "Table1Record",
    "Table2Row",
    "Table3Row",
    "WriteOptions",
    "build_sending_unit",
    "parse_up1kyo",
    "parse_up2kyo",
    "parse_up3kyo",
    "parse_uphosoku",
    "read_sending_unit",
    "read_up1kyo",
    "read_up2kyo",
    "read_up3kyo",
    "read_uphosoku",
    "sequence_for",
    "to_ms932_text",
    "write_up1kyo",
    "write_up2kyo",
    "write_up3kyo",
    "write_uphosoku",
]
