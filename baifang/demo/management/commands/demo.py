"""`baifang demo --customers N --reps M [--seed S]`: a realistic demo company with its archive.

Idempotent: when org units already exist the command says so and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.core.management.base import BaseCommand, CommandError

from baifang.demo.generator import DEMO_PASSWORD, PERSONAS, write_demo


class Command(BaseCommand):
    help = "Create a demo company in Hangzhou with people, customers and contacts (deterministic per seed)."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=2000, help="number of customers (default 2000)")
        parser.add_argument(
            "--reps", type=int, default=30, help="number of field reps, at least 3 (default 30)"
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--contacts-per-customer",
            metavar="LO-HI",
            help="contacts per customer, e.g. 1-3 (default 1-3, or 1-2 above 50,000 customers)",
        )
        parser.add_argument(
            "--today", type=dt.date.fromisoformat, help="date the data is relative to (default: today)"
        )
        parser.add_argument("--batch-size", type=int, default=5000, help="rows per INSERT (default 5000)")

    def handle(self, *args, customers, reps, seed, contacts_per_customer, today, batch_size, **options):
        if customers < 0:
            raise CommandError("--customers must not be negative.")
        if reps < 3:
            raise CommandError("--reps must be at least 3 (the personas rep, rep2 and outsider).")
        contacts = None
        if contacts_per_customer:
            try:
                lo, _, hi = contacts_per_customer.partition("-")
                contacts = (int(lo), int(hi or lo))
            except ValueError as exc:
                raise CommandError("--contacts-per-customer takes LO-HI, e.g. 1-3.") from exc
            if not 0 <= contacts[0] <= contacts[1]:
                raise CommandError("--contacts-per-customer: need 0 <= LO <= HI.")

        verbose = options["verbosity"] >= 1
        result = write_demo(
            customers=customers,
            reps=reps,
            seed=seed,
            today=today,
            contacts=contacts,
            batch_size=batch_size,
            log=(lambda message: self.stdout.write(message)) if verbose else (lambda message: None),
        )
        if not result.created:
            self.stdout.write(self.style.WARNING(result.message))
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {result.units} units, {result.users} users, "
                f"{result.customers:,} customers, {result.contacts:,} contacts in {result.seconds:.1f}s."
            )
        )
        if verbose:
            self.stdout.write(personas_table())


def _pad(text: str, width: int) -> str:
    """Left-justify to a terminal width, counting CJK characters as two columns."""
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - shown)


def personas_table() -> str:
    from baifang.org.models import User

    present = set(User.objects.filter(username__in=PERSONAS).values_list("username", flat=True))
    lines = [
        "",
        f"Demo logins — password for every demo user: {DEMO_PASSWORD}",
        f"{_pad('username', 11)} {_pad('name', 11)} {_pad('角色', 40)} role",
    ]
    for username, (display, zh, en) in PERSONAS.items():
        if username in present:
            lines.append(f"{_pad(username, 11)} {_pad(display, 11)} {_pad(zh, 40)} {en}")
    return "\n".join(lines)
