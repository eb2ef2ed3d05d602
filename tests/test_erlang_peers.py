"""The Erlang C reference agrees with an independent implementation (pyworkforce),
with its published figures, and with a discrete-event simulation of the same queue.

pyworkforce's ``asa`` argument is the answer-time threshold (in minutes), not the
average speed of answer; its ``interval`` and ``aht`` are in minutes too.
"""

import math
from collections import Counter

import numpy as np
import pytest

from crm_lab.service import simulate_queue, summarize_simulation
from grader.reference import callcentre as ref

# (calls per half hour, AHT seconds): light to heavy loads, 1 to 50 erlangs.
CASES = [(10, 180), (36, 240), (100, 180), (150, 300), (300, 300), (5, 600)]


def erlang_c_peer(calls, aht_seconds, threshold_seconds=20):
    erlang = pytest.importorskip("pyworkforce.queuing").ErlangC
    return erlang(transactions=calls, aht=aht_seconds / 60, asa=threshold_seconds / 60, interval=30)


def test_published_pyworkforce_figures():
    # 100 calls per 30 min, AHT 3 min, 20 s threshold.
    assert ref.erlang_c_wait_probability(100, 180, 13) == pytest.approx(0.2853, abs=5e-5)
    assert ref.erlang_c_service_level(100, 180, 13) == pytest.approx(0.7956, abs=5e-5)
    assert ref.erlang_c_wait_probability(100, 180, 14) == pytest.approx(0.1741, abs=5e-5)
    assert ref.erlang_c_service_level(100, 180, 14) == pytest.approx(0.8884, abs=5e-5)


@pytest.mark.parametrize(("calls", "aht"), CASES)
def test_wait_probability_and_service_level_match_pyworkforce(calls, aht):
    peer = erlang_c_peer(calls, aht)
    load = calls * aht / 1800
    for agents in range(math.floor(load) + 1, math.floor(load) + 12):
        assert ref.erlang_c_wait_probability(calls, aht, agents) == pytest.approx(
            peer.waiting_probability(agents), rel=1e-9
        )
        assert ref.erlang_c_service_level(calls, aht, agents) == pytest.approx(
            peer.service_level(agents), rel=1e-9, abs=1e-12
        )


@pytest.mark.parametrize(("calls", "aht"), CASES)
@pytest.mark.parametrize("target", [0.7, 0.8, 0.9])
def test_agents_required_matches_pyworkforce(calls, aht, target):
    peer = erlang_c_peer(calls, aht).required_positions(service_level=target)
    assert ref.agents_required(calls, aht, target) == peer["raw_positions"]


# Simulation: 150 simulated hours per case; the tolerance covers its sampling error
# (about 0.01 for these loads) with a wide margin.
SIM_HOURS = 150
TOLERANCE = 0.03


@pytest.mark.parametrize(
    ("calls", "aht", "agents"), [(100, 180, 13), (100, 180, 14), (36, 240, 7), (10, 180, 2)]
)
def test_erlang_c_matches_a_simulation_of_the_same_queue(calls, aht, agents):
    sim = summarize_simulation(simulate_queue(calls, aht, agents, hours=SIM_HOURS, seed=11))
    assert sim["wait_probability"] == pytest.approx(
        ref.erlang_c_wait_probability(calls, aht, agents), abs=TOLERANCE
    )
    assert sim["service_level"] == pytest.approx(
        ref.erlang_c_service_level(calls, aht, agents), abs=TOLERANCE
    )
    assert sim["asa_seconds"] == pytest.approx(ref.erlang_c_asa(calls, aht, agents), rel=0.2)
    assert sim["occupancy"] == pytest.approx(calls * aht / 1800 / agents, abs=TOLERANCE)


def test_with_impatient_callers_some_calls_are_lost_and_the_rest_wait_less():
    calls, aht, agents = 100, 180, 13
    patient = summarize_simulation(simulate_queue(calls, aht, agents, hours=SIM_HOURS, seed=5))
    impatient = summarize_simulation(
        simulate_queue(calls, aht, agents, hours=SIM_HOURS, seed=5, patience_seconds=60)
    )
    assert patient["abandon_rate"] == 0
    assert impatient["abandon_rate"] > 0.03  # callers Erlang C assumes would wait
    assert impatient["asa_seconds"] < 0.5 * ref.erlang_c_asa(calls, aht, agents)


def test_an_understaffed_queue_still_answers_calls_when_callers_give_up():
    # Erlang C: 10 erlangs, 9 agents: the queue never settles (service level 0).
    assert ref.erlang_c_service_level(100, 180, 9) == 0.0
    sim = summarize_simulation(
        simulate_queue(100, 180, 9, hours=SIM_HOURS, seed=3, patience_seconds=120)
    )
    assert 0.1 < sim["service_level"] < 0.9
    assert sim["abandon_rate"] > 0.1


def test_simulation_is_reproducible_and_checks_its_arguments():
    a = simulate_queue(50, 200, 6, hours=3, seed=4)
    b = simulate_queue(50, 200, 6, hours=3, seed=4)
    assert a.equals(b)
    with pytest.raises(ValueError, match="agents"):
        simulate_queue(50, 200, 0)
    with pytest.raises(ValueError, match="patience"):
        simulate_queue(50, 200, 6, patience_seconds=-1)



def simpy_waits(arrivals, handles, patiences, agents):
    """The same queue as events in simpy (a FIFO Resource; callers renege on a timeout)."""
    simpy = pytest.importorskip("simpy")
    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=agents)
    waited, gave_up = np.zeros(len(arrivals)), np.zeros(len(arrivals), dtype=bool)

    def caller(i):
        yield env.timeout(arrivals[i])
        with desk.request() as request:
            if patiences is None:
                yield request
            else:
                outcome = yield request | env.timeout(patiences[i])
                if request not in outcome:
                    waited[i], gave_up[i] = env.now - arrivals[i], True
                    return
            waited[i] = env.now - arrivals[i]
            yield env.timeout(handles[i])

    for i in range(len(arrivals)):
        env.process(caller(i))
    env.run()
    return waited, gave_up


@pytest.mark.parametrize("patience", [None, 45.0])
@pytest.mark.parametrize(("calls", "aht", "agents"), [(100, 180, 12), (30, 240, 3), (100, 180, 8)])
def test_simulated_waits_equal_simpy_call_by_call(monkeypatch, calls, aht, agents, patience):
    # simulate_queue's own random calls, replayed through simpy: every wait and hang-up agrees.
    import crm_lab.service as service

    seen = {}
    engine = service._first_come_first_served

    def recording(arrivals, handles, patiences, n_agents):
        seen.update(arrivals=arrivals, handles=handles, patiences=patiences)
        seen["result"] = engine(arrivals, handles, patiences, n_agents)
        return seen["result"]

    monkeypatch.setattr(service, "_first_come_first_served", recording)
    service.simulate_queue(calls, aht, agents, hours=6, seed=9, patience_seconds=patience)
    waited, gave_up = simpy_waits(seen["arrivals"], seen["handles"], seen["patiences"], agents)
    ours_waited, ours_gave_up = seen["result"]
    assert (gave_up == ours_gave_up).all()
    np.testing.assert_allclose(waited, ours_waited, atol=1e-6)
    assert (ours_waited > 0).mean() > 0.05  # the queue really queued
    if patience is not None:
        assert ours_gave_up.mean() > 0.01  # and some callers really hung up

# --- the FAQ bot, computed independently ----------------------------------------------------


def char_ngram_tfidf(documents, n_max=3):
    """TF-IDF over character 1..n_max-grams written out by hand, as scikit-learn defines it:
    raw counts, idf = ln((1 + n) / (1 + df)) + 1, rows scaled to unit length."""
    grams = [Counter(d[i : i + k] for k in range(1, n_max + 1) for i in range(len(d) - k + 1))
             for d in documents]  # fmt: skip
    df = Counter(g for doc in grams for g in doc)
    n = len(documents)
    idf = {g: math.log((1 + n) / (1 + c)) + 1 for g, c in df.items()}

    def vector(text):
        counts = Counter(
            text[i : i + k] for k in range(1, n_max + 1) for i in range(len(text) - k + 1)
        )
        v = {g: c * idf[g] for g, c in counts.items() if g in idf}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {g: x / norm for g, x in v.items()}

    return vector


def test_faq_matches_and_answer_rate_agree_with_a_hand_written_tfidf():
    from crm_lab.data import load_chat_questions, load_faq

    faq, questions = load_faq(), load_chat_questions().head(150)
    documents = (faq.question_zh + " " + faq.answer_zh).tolist()
    vector = char_ngram_tfidf(documents)
    faq_vectors = [vector(d) for d in documents]
    best, scores = [], []
    for text in questions.question_zh:
        q = vector(text)
        sims = [sum(w * f.get(g, 0.0) for g, w in q.items()) for f in faq_vectors]
        k = max(range(len(sims)), key=sims.__getitem__)
        best.append(faq.faq_id.iloc[k])
        scores.append(sims[k])
    matches = ref.match_faq(questions, faq)
    assert matches.best_faq_id.tolist() == best
    assert matches.score.tolist() == pytest.approx(scores, abs=1e-9)

    threshold = 0.15
    answered = [s >= threshold for s in scores]
    correct = [
        a and isinstance(label, str) and label == b
        for a, label, b in zip(answered, questions.faq_id, best, strict=True)
    ]
    rates = ref.faq_bot_rates(matches, threshold)
    assert rates["answer_rate"] == pytest.approx(sum(answered) / len(questions))
    assert rates["correct_rate"] == pytest.approx(sum(correct) / len(questions))
