"""manage.py ticket_quote_input TICKET_ID — the quote JSON of a ticket's 予定 (docs/quote.md).

python manage.py ticket_quote_input 12 | python manage.py quote -
"""

import json

from django.core.management.base import BaseCommand, CommandError

from billing.models import ServiceTicket
from billing.tickets.quote_input import ticket_quote_input


class Command(BaseCommand):
    help = "利用票（予定）を試算（quote）の入力JSONとして出力します。"

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("ticket_id", type=int, help="利用票のID")

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        try:
            ticket = ServiceTicket.objects.get(pk=options["ticket_id"])
        except ServiceTicket.DoesNotExist as error:
            raise CommandError(f"利用票 {options['ticket_id']} はありません。") from error
        data = ticket_quote_input(ticket)
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
