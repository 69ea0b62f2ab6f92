"""R-FU-4: the showroom's fair rotation (seed 002, 房地产 客户接待制度 and 4S 轮班) as properties of the
plain function ``next_receiver``."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from baifang.followups.engine import next_receiver, position_after

ORDER = ("张", "李", "王", "赵")


def test_r_fu_4_first_time_customers_follow_the_duty_order():
    first = next_receiver(ORDER, 0)
    second = next_receiver(ORDER, first.position)
    assert (first.receiver, second.receiver) == ("张", "李")
    assert first.in_turn and first.new_reception and first.credited_to == "张"


def test_r_fu_4_a_busy_rep_is_skipped():
    reception = next_receiver(ORDER, 0, busy={"张"})
    assert reception.receiver == "李" and reception.skipped == ("张",) and reception.position == 2


def test_r_fu_4_a_returning_customer_goes_to_their_rep_without_moving_the_order():
    reception = next_receiver(ORDER, 1, returning_rep="王")
    assert (reception.receiver, reception.credited_to, reception.position) == ("王", "王", 1)
    assert not reception.new_reception and not reception.in_turn


def test_r_fu_4_a_stand_in_receives_but_the_first_receiver_keeps_the_credit():
    reception = next_receiver(ORDER, 1, busy={"王"}, returning_rep="王")
    assert (reception.receiver, reception.credited_to) == ("李", "王")
    assert reception.position == 1 and not reception.new_reception
    off_duty = next_receiver(ORDER, 0, returning_rep="钱")  # on leave: not in today's order
    assert (off_duty.receiver, off_duty.credited_to) == ("张", "钱")


def test_r_fu_4_a_named_rep_gets_the_customer_out_of_turn():
    reception = next_receiver(ORDER, 0, named_rep="赵")
    assert (reception.receiver, reception.credited_to, reception.position) == ("赵", "赵", 0)
    assert reception.new_reception and not reception.in_turn
    assert next_receiver(ORDER, 0, busy={"赵"}, named_rep="赵").waiting


def test_r_fu_4_knowing_a_first_time_customer_does_not_jump_the_queue():
    assert next_receiver(ORDER, 0, acquainted_rep="赵").receiver == "张"


def test_r_fu_4_everyone_busy_means_the_customer_waits():
    reception = next_receiver(ORDER, 2, busy=set(ORDER))
    assert reception.receiver is None and reception.waiting and reception.position == 2
    assert next_receiver((), 0).waiting


def test_r_fu_4_position_after_the_last_in_turn_reception():
    assert position_after(ORDER, None) == 0
    assert position_after(ORDER, "赵") == 0
    assert position_after(ORDER, "李") == 2
    assert position_after(ORDER, "钱") == 0


arrival = st.fixed_dictionaries(
    {
        "busy": st.sets(st.sampled_from(ORDER), max_size=len(ORDER)),
        "kind": st.sampled_from(["first", "first", "first", "returning", "named", "acquainted"]),
        "rep": st.sampled_from(ORDER),
    }
)


def _run_day(arrivals):
    position = 0
    counts, skipped = Counter(), Counter()
    for a in arrivals:
        kwargs = {
            "returning": {"returning_rep": a["rep"]},
            "named": {"named_rep": a["rep"]},
            "acquainted": {"acquainted_rep": a["rep"]},
        }.get(a["kind"], {})
        reception = next_receiver(ORDER, position, a["busy"], **kwargs)
        yield a, reception, position
        position = reception.position
        if reception.in_turn:
            counts[reception.receiver] += 1
        skipped.update(reception.skipped)
    yield None, (counts, skipped), position


@settings(max_examples=300)
@given(st.lists(arrival, max_size=200))
def test_r_fu_4_property_no_one_gets_two_more_first_time_visitors_unless_skipped_while_busy(arrivals):
    *_steps, (_none, (counts, skipped), _pos) = _run_day(arrivals)
    for a in ORDER:
        for b in ORDER:
            assert counts[a] - counts[b] <= 1 + skipped[b], (counts, skipped)


@settings(max_examples=300)
@given(st.lists(arrival, max_size=60))
def test_r_fu_4_property_each_arrival_obeys_the_rules(arrivals):
    for a, reception, position in list(_run_day(arrivals))[:-1]:
        assert reception.receiver is None or reception.receiver in ORDER
        if reception.in_turn:
            assert reception.receiver not in a["busy"]  # a busy rep is never chosen in turn
            assert reception.new_reception
        if a["kind"] == "returning":  # a repeat visit: never a new reception, the order stays
            assert not reception.new_reception and reception.position == position
            assert reception.credited_to == a["rep"]
            if a["rep"] not in a["busy"]:
                assert reception.receiver == a["rep"]
        elif a["kind"] == "named":
            assert reception.receiver == a["rep"] and reception.position == position
        else:  # acquainted or plain first-time: the order decides, the same answer either way
            assert reception == next_receiver(ORDER, position, a["busy"])
            if set(a["busy"]) != set(ORDER):
                expected = next(
                    ORDER[(position + i) % 4] for i in range(4) if ORDER[(position + i) % 4] not in a["busy"]
                )
                assert reception.receiver == expected
