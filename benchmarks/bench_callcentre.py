"""The call-centre chapter's tools: simulation speed, Erlang C against the simulation,
and the service tables' share of generating a shop. Prints figures; asserts nothing.

Run: ``python benchmarks/bench_callcentre.py``.
"""

from __future__ import annotations

import time

from crm_lab.data import generate_shop, load_chat_questions, load_faq
from crm_lab.service import simulate_queue, split_by_family, summarize_simulation
from grader.reference import callcentre as ref


def main() -> None:
    print("simulate_queue (100 calls per half hour, AHT 180 s):")
    for agents, patience in ((13, None), (14, None), (13, 60.0)):
        began = time.perf_counter()
        sim = simulate_queue(100, 180, agents, hours=200, seed=1, patience_seconds=patience)
        seconds = time.perf_counter() - began
        kpis = summarize_simulation(sim)
        erlang_sl = ref.erlang_c_service_level(100, 180, agents)
        print(
            f"  {agents} agents, patience {patience}: {len(sim):,} calls in {seconds:.2f} s "
            f"({len(sim) / seconds:,.0f} calls/s); P(wait) {kpis['wait_probability']:.4f} "
            f"(Erlang C {ref.erlang_c_wait_probability(100, 180, agents):.4f}), "
            f"SL {kpis['service_level']:.4f} (Erlang C {erlang_sl:.4f}), "
            f"abandoned {kpis['abandon_rate']:.3f}"
        )
    questions, faq = load_chat_questions(), load_faq()
    began = time.perf_counter()
    split = split_by_family(questions)
    split_seconds = time.perf_counter() - began
    ref.match_faq(questions.head(1), faq)  # the first call imports scikit-learn (seconds)
    began = time.perf_counter()
    matches = ref.match_faq(questions, faq)
    rates = ref.faq_bot_rates(matches, 0.29)
    print(
        f"FAQ bot: split_by_family {split_seconds:.3f} s ({split.value_counts().to_dict()}), "
        f"match_faq on {len(questions):,} questions {time.perf_counter() - began:.3f} s; "
        f"coverage {rates['coverage']:.1%}, at 0.29 answered {rates['answer_rate']:.1%}, "
        f"precision {rates['precision']:.1%}"
    )
    big = (3000, 108, 200)  # 180 erlangs: beyond the factorial form, easy for the recursion
    wait = ref.erlang_c_wait_probability(*big)
    print(f"Erlang C for 200 agents on 180 erlangs: P(wait) {wait:.4f}")
    for n_customers in (800, 4000):
        began = time.perf_counter()
        shop = generate_shop(seed=7, n_customers=n_customers)
        print(
            f"generate_shop(n_customers={n_customers}): {time.perf_counter() - began:.2f} s, "
            f"{len(shop['calls']):,} calls, {len(shop['tickets']):,} tickets"
        )


if __name__ == "__main__":
    main()
