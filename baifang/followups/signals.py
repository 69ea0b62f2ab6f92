"""Signals followups sends so that other apps can react without being imported (the floors).

``order_lost``: a lost-order report was recorded (R-FU-5) — with an opportunity lost, or on its own.
Sent with ``sender=LostOrder`` and ``instance=`` the report, **after the transaction commits**
(``transaction.on_commit``): a receiver sees the committed report and can never undo it; a receiver
that fails does not lose the report. Nothing is sent when the request is refused. The rules app may
hear it to raise a return-visit obligation after a lost order (R-FREQ-9); followups never imports it.
"""

from django.dispatch import Signal

order_lost = Signal()
