"""The states a touch can be in for obligation counts (R-VISIT-8): the contract between visits and rules.

Visits decides a touch's state (``visits.engine.count_state``: serious flags, review, short visits);
rules reads it in every obligation count (``obligation_sql``, the kept-window triggers). The words live
here, below both, so that neither imports the other for them. Plain Python, no Django.
"""

COUNTED = "counted"
PENDING_REVIEW = "pending_review"
NOT_COUNTED = "not_counted"
COUNT_STATES = (COUNTED, PENDING_REVIEW, NOT_COUNTED)
