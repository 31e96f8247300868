"""The requirement engine against hand-worked cases, the programmes of the data migration, an
exhaustive search, and properties any student's data must keep (hypothesis)."""

import itertools
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diplomas import engine, selectors
from diplomas.engine import CourseLine, Facts, Rule
from diplomas.models import Category, CategoryCap, Programme

D = Decimal
HALF = D("0.5")


def line(code: str, credit=1, **kwargs) -> CourseLine:
    return CourseLine(key=code + str(kwargs), code=code, credit=D(credit), **kwargs)


def earned_by(progress: engine.Progress) -> dict:
    return {c.rule.key: c.earned for c in progress.categories}


def counted_codes(progress: engine.Progress) -> dict:
    return {c.rule.key: sorted(line.code for line in c.courses) for c in progress.categories}


# --- Hand-worked cases ----------------------------------------------------------------------

ARTS_OR_TECH = Rule(key="arts-or-tech", credits=D(1), patterns=("A", "T"))
ARTS = Rule(key="arts", credits=D(1), patterns=("A",))


def test_where_first_come_first_served_fails_the_optimum_counts_both_courses():
    """By hand: AVI1O fits both categories, TIJ1O only the first. Given in order, AVI1O
    would take "arts or tech" and TIJ1O would count nowhere (1 credit); the optimum puts
    AVI1O under arts (2 credits)."""
    programme = engine.Programme(rules=(ARTS_OR_TECH, ARTS))
    progress = engine.progress(programme, [line("AVI1O"), line("TIJ1O")], Facts())

    assert counted_codes(progress) == {"arts-or-tech": ["TIJ1O"], "arts": ["AVI1O"]}
    assert progress.earned == 2 and progress.remaining == 0 and not progress.excess


FRENCH = Rule(key="français", credits=D(4), patterns=("FRA",), grade_slots=tuple("1234"))
OPTIONAL = Rule(key="au choix", credits=D(12), any_course=True)


def test_french_counts_one_credit_per_grade():
    """By hand: two Grade 9 French courses (FRA1D, FRA1P) and FRA2D. Français takes one of
    Grade 9 and FRA2D (2 credits); the second Grade 9 course counts as optional."""
    progress = engine.progress(engine.Programme(rules=(FRENCH, OPTIONAL)),
                               [line("FRA1D"), line("FRA1P"), line("FRA2D")], Facts())
    assert earned_by(progress) == {"français": 2, "au choix": 1}
    assert counted_codes(progress)["français"] in (["FRA1D", "FRA2D"], ["FRA1P", "FRA2D"])
    assert progress.categories[0].remaining == 2


def test_one_per_grade_in_progress_fills_only_the_grades_left():
    """FRA3U earned; FRA3E in progress is a second Grade 11 French: not a forecast of
    Français (FRA4U is), but of the optional credits."""
    lines = [line("FRA3U"), line("FRA3E", in_progress=True), line("FRA4U", in_progress=True)]
    progress = engine.progress(engine.Programme(rules=(FRENCH, OPTIONAL)), lines, Facts())
    french, optional = progress.categories
    assert (french.earned, french.in_progress, optional.in_progress) == (1, 1, 1)
    assert [x.code for x in french.forecast_courses] == ["FRA4U"]


def test_a_waived_french_credit_is_the_earliest_grades():
    """A student who arrived in Grade 10 with Grade 9 French waived: FRA1D counts nowhere
    in Français, FRA2D to FRA4U do."""
    facts = Facts(waived={"français": D(1)})
    progress = engine.progress(
        engine.Programme(rules=(FRENCH,)),
        [line("FRA1D"), line("FRA2D"), line("FRA3U"), line("FRA4U")], facts)
    french = progress.categories[0]
    assert (french.earned, french.waived, french.remaining) == (3, 1, 0)
    assert [x.code for x in progress.excess] == ["FRA1D"]


def test_a_chain_of_moves_is_found():
    """Three courses, three categories, each course's first choice taken by the one
    before it: only moving two courses on counts all three."""
    rules = (Rule("x", D(1), ("SNC",)), Rule("y", D(1), ("SNC", "SBI")),
             Rule("z", D(1), ("SBI", "SPH")))
    progress = engine.progress(engine.Programme(rules=rules),
                               [line("SBI3U"), line("SPH3U"), line("SNC1W")], Facts())
    assert counted_codes(progress) == {"x": ["SNC1W"], "y": ["SBI3U"], "z": ["SPH3U"]}


MATHS_2024 = Rule(key="maths", credits=D(3), patterns=("M",), grade_slots=("1", "2", "34"))


def test_maths_needs_grade_9_grade_10_and_one_of_grade_11_or_12():
    """MTH1W, MCR3U and MHF4U: Grade 9 and one of Grade 11 or 12 (2 credits), nothing for
    Grade 10; with MPM2D the requirement is met, and a Grade 11 or 12 course is extra."""
    programme = engine.Programme(rules=(MATHS_2024, OPTIONAL))
    without = engine.progress(programme, [line("MTH1W"), line("MCR3U"), line("MHF4U")],
                              Facts())
    assert earned_by(without) == {"maths": 2, "au choix": 1}
    assert without.categories[0].remaining == 1
    with_grade_10 = engine.progress(
        programme, [line("MTH1W"), line("MCR3U"), line("MHF4U"), line("MPM2D")], Facts())
    assert earned_by(with_grade_10) == {"maths": 3, "au choix": 1}
    assert "MPM2D" in counted_codes(with_grade_10)["maths"]


def test_maths_of_2023_and_before_is_three_credits_one_of_grade_11_or_12():
    maths = Rule(key="maths", credits=D(3), patterns=("M",), grade_slots=("1234", "1234", "34"))
    programme = engine.Programme(rules=(maths,))
    assert engine.progress(programme, [line("MTH1W"), line("MCR3U"), line("MHF4U")],
                           Facts()).earned == 3
    assert engine.progress(programme, [line("MPM1D"), line("MPM2D"), line("MFM2P")],
                           Facts()).earned == 2


def test_a_waived_maths_credit_is_the_grade_9_slot():
    facts = Facts(waived={"maths": D(1)})
    progress = engine.progress(engine.Programme(rules=(MATHS_2024,)),
                               [line("MTH1W"), line("MPM2D")], facts)
    maths = progress.categories[0]
    assert (maths.earned, maths.waived, maths.remaining) == (1, 1, 1)
    assert [x.code for x in progress.excess] == ["MTH1W"]


GROUPS = (Rule("g1", D(1), ("H", "DC")), Rule("g2", D(1), ("P", "DC")),
          Rule("g3", D(1), ("S", "DC")))
CO_OP = engine.Cap(key="co-op", credits=D(2), patterns=("DC",), rules=frozenset(("g1", "g2",
                                                                                 "g3")))


def test_at_most_2_co_op_credits_count_in_the_groups():
    """Three co-op credits and nothing else: two count in the groups, the third where the
    cap does not reach (the optional credits)."""
    programme = engine.Programme(rules=(*GROUPS, OPTIONAL), caps=(CO_OP,))
    progress = engine.progress(programme, [line("DCO3O"), line("DCO4O"), line("DCO3E")],
                               Facts())
    earned = earned_by(progress)
    assert earned["g1"] + earned["g2"] + earned["g3"] == 2 and earned["au choix"] == 1
    alone = engine.progress(engine.Programme(rules=GROUPS, caps=(CO_OP,)),
                            [line("DCO3O"), line("DCO4O"), line("DCO3E")], Facts())
    assert alone.earned == 2 and len(alone.excess) == 1


def test_the_cap_changes_the_optimum_where_first_come_first_served_fails():
    """By hand: DCO3O, DCO4O, DCO3E then PPL3O. Given in order, the co-op credits take
    Groups 1, 2 and 3, the third is over the cap, and PPL3O finds Group 2 taken: 2 credits.
    The optimum leaves Group 2 to PPL3O: 3 credits, 2 of co-op."""
    programme = engine.Programme(rules=GROUPS, caps=(CO_OP,))
    progress = engine.progress(
        programme, [line("DCO3O"), line("DCO4O"), line("DCO3E"), line("PPL3O")], Facts())
    assert progress.earned == 3 and counted_codes(progress)["g2"] == ["PPL3O"]
    assert [x.code for x in progress.excess] in (["DCO3O"], ["DCO4O"], ["DCO3E"])


def test_in_progress_co_op_fills_only_what_the_cap_leaves():
    programme = engine.Programme(rules=(*GROUPS, OPTIONAL), caps=(CO_OP,))
    lines = [line("DCO3O"), line("DCO4O"), line("DCO3E", in_progress=True),
             line("SBI3U", in_progress=True)]
    progress = engine.progress(programme, lines, Facts())
    earned, forecast = earned_by(progress), {c.rule.key: c.in_progress
                                             for c in progress.categories}
    assert earned["g1"] + earned["g2"] + earned["g3"] == 2
    assert forecast["g3"] == 1 and [x.code for x in progress.categories[2].forecast_courses] \
        == ["SBI3U"]
    assert forecast["au choix"] == 1


def test_a_whole_course_is_never_split_between_two_half_credit_categories():
    """A flow would send half of a 1-credit course to each 0.5 category (1 credit); a
    course counts whole in one category: 0.5 credit, the other half is lost."""
    rules = (Rule("career", HALF, ("GLC",)), Rule("civics", HALF, ("GLC",)))
    progress = engine.progress(engine.Programme(rules=rules), [line("GLC2O")], Facts())
    assert progress.earned == HALF
    assert sum(len(c.courses) for c in progress.categories) == 1


def test_half_credits_fill_their_categories_and_a_whole_one_fills_a_half_left():
    rules = (Rule("career", HALF, ("GLC2",)), Rule("civics", HALF, ("CHV2",)),
             Rule("optional", D(1), any_course=True))
    lines = [line("GLC2O", HALF), line("CHV2O", HALF), line("CHV2P", HALF)]
    progress = engine.progress(engine.Programme(rules=rules), lines, Facts())
    assert earned_by(progress) == {"career": HALF, "civics": HALF, "optional": HALF}
    assert progress.remaining == HALF


def test_a_course_passed_twice_counts_once_and_the_other_is_apart():
    rules = (Rule("math", D(3), ("M",)),)
    first, again = line("MPM2D"), line("MPM2D", online=True)
    progress = engine.progress(engine.Programme(rules=rules), [first, again], Facts())
    assert progress.earned == 1
    assert len(progress.excess) == 1


def test_a_course_passed_online_then_again_in_class_stays_an_online_credit():
    programme = engine.Programme(rules=(Rule("fr", D(4), ("FRA",)),), online_credits=2)
    lines = [line("FRA1D", HALF, online=True), line("FRA1D"),
             line("GLC2O", online=True, in_progress=True),
             line("FRA1D", online=True, in_progress=True)]
    (online,) = engine.progress(programme, lines, Facts()).requirements
    assert (online.done, online.in_progress) == (HALF, 1)


def test_a_sixth_character_is_the_same_course():
    rules = (Rule("fr", D(4), ("FRA",)),)
    progress = engine.progress(engine.Programme(rules=rules),
                               [line("FRA1D"), line("FRA1DA")], Facts())
    assert progress.earned == 1


def test_courses_beyond_a_requirement_are_excess():
    rules = (Rule("science", D(2), ("S",)),)
    lines = [line("SNC1W"), line("SNC2D"), line("SBI3U")]
    progress = engine.progress(engine.Programme(rules=rules), lines, Facts())
    assert progress.earned == 2 and [x.code for x in progress.excess] == ["SBI3U"]


def test_the_forecast_fills_what_the_earned_courses_leave():
    rules = (Rule("fr", D(4), ("FRA",)), Rule("optional", D(2), any_course=True))
    lines = [line("FRA1D"), line("FRA2D"), line("FRA3U", in_progress=True),
             line("AVI3M", in_progress=True), line("SPH3U", in_progress=True),
             line("SBI3U", in_progress=True)]
    progress = engine.progress(engine.Programme(rules=rules), lines, Facts())
    fr, optional = progress.categories
    assert (fr.earned, fr.in_progress, fr.remaining, fr.remaining_if_passed) == (2, 1, 2, 1)
    assert (optional.earned, optional.in_progress, optional.remaining_if_passed) == (0, 2, 0)
    assert len(progress.excess_in_progress) == 1


def test_a_course_in_progress_already_passed_counts_nothing_more():
    rules = (Rule("math", D(3), ("M",)),)
    progress = engine.progress(engine.Programme(rules=rules),
                               [line("MPM2D"), line("MPM2D", in_progress=True)], Facts())
    assert (progress.earned, progress.in_progress) == (1, 0)
    assert len(progress.excess_in_progress) == 1


def test_waived_credits_lower_what_is_left_and_never_exceed_the_requirement():
    rules = (Rule("fr", D(4), ("FRA",)), Rule("en", D(1), ("EAE",)))
    facts = Facts(waived={"fr": D(1), "en": D(3)})
    progress = engine.progress(engine.Programme(rules=rules), [line("FRA1D")], facts)
    fr, en = progress.categories
    assert (fr.earned, fr.waived, fr.remaining) == (1, 1, 2)
    assert (en.waived, en.remaining) == (1, 0)


def test_a_waived_compulsory_credit_is_still_one_of_the_credits_to_earn():
    """The diploma is 30 credits (ONTARIO.md) whatever stands in for a compulsory one: a
    principal's substitution, or a compulsory credit granted on arrival with equivalent
    credits. The waived credit is one more optional credit to earn, never one less."""
    rules = (Rule("fr", D(2), ("FRA",)), Rule("optional", D(2), any_course=True))
    programme = engine.Programme(rules=rules)
    facts = Facts(waived={"fr": D(1)})
    three = engine.progress(programme, [line("FRA1D"), line("HSB4U"), line("PPL3O")], facts)
    fr, optional = three.categories
    assert (fr.earned, fr.waived, fr.remaining) == (1, 1, 0)
    assert (optional.required, optional.earned, optional.remaining) == (3, 2, 1)
    assert (three.required, three.earned, three.waived, three.remaining) == (4, 3, 0, 1)
    assert not three.complete
    four = engine.progress(
        programme, [line("FRA1D"), line("HSB4U"), line("PPL3O"), line("ICS2O")], facts)
    assert (four.earned, four.remaining, four.complete) == (4, 0, True)


def test_requirements_other_than_credits():
    programme = engine.Programme(rules=(), community_hours=40, literacy_required=True,
                                 literacy_courses=("CCL4O", "OLC4O"), online_credits=2,
                                 financial_literacy_required=True)
    lines = [line("GLC2O", HALF, online=True), line("CHV2O", HALF, online=True),
             line("PPL3O", online=True, in_progress=True), line("CCL4O", in_progress=True)]
    progress = engine.progress(programme, lines, Facts(community_hours=D(28)))
    hours, literacy, online, financial = progress.requirements
    assert (hours.done, hours.remaining, hours.met) == (28, 12, False)
    assert (literacy.met, literacy.in_progress) == (False, 1)
    assert (online.done, online.in_progress, online.remaining_if_passed) == (1, 1, 0)
    assert not financial.met and not progress.complete

    passed = engine.progress(programme, [line("OLC4O")],
                             Facts(online_opt_out=True, financial_literacy_met=True))
    _hours, literacy, online, financial = passed.requirements
    assert literacy.met and online.met and online.opted_out and financial.met
    by_test = engine.progress(programme, [], Facts(literacy_test_passed=True))
    assert by_test.requirements[1].met


@pytest.mark.parametrize("credit", ["0.25", "3", "-1", "NaN", "1e9"])
def test_odd_data_never_crashes_and_counts_whole_halves_at_most(credit):
    rules = (Rule("math", D(3), ("M",)), Rule("optional", D(2), any_course=True))
    lines = [CourseLine(key=1, code="", credit=D(credit)),
             CourseLine(key=2, code="m", credit=D(credit)),
             CourseLine(key=3, code="MTH1W", credit=D(credit))]
    progress = engine.progress(engine.Programme(rules=rules), lines, Facts())
    for category in progress.categories:
        assert 0 <= category.earned <= category.required


# --- The programmes of the data migration ---------------------------------------------

def programme(code: str) -> engine.Programme:
    return selectors.engine_programme(
        next(p for p in selectors.programmes() if p.code == code))


def names_and_credits(code: str) -> dict:
    found = next(p for p in selectors.programmes() if p.code == code)
    return {c.name_fr: c.credits for c in found.categories.all()}


# A French-language school's student who entered Grade 9 in 2024 and met every rule.
DESO_2024_TRANSCRIPT = [
    "FRA1D", "MTH1W", "SNC1W", "CGC1W", "EAE1D", "AVI1O", "PPL1O", "TIJ1O",
    "FRA2D", "MPM2D", "SNC2D", "CHC2D", "EAE2D", "ICS2O", ("GLC2O", HALF), ("CHV2O", HALF),
    "FRA3U", "MCR3U", "SBI3U", "SCH3U", "EAE3U", "CHW3M", "PPL3O", "AVI3M",
    "FRA4U", "MHF4U", "MDM4U", "SPH4U", "EAE4U", "HSB4U", "CGW4U",
]


def transcript(entries) -> list[CourseLine]:
    return [line(*entry) if isinstance(entry, tuple) else line(entry) for entry in entries]


@pytest.mark.django_db
@pytest.mark.usefixtures("programmes")
class TestProgrammes:
    def test_deso_2024_has_the_compulsory_credits_of_a_french_language_school(self):
        assert names_and_credits("deso-2024") == {
            "Français": 4, "Mathématiques": 3, "Sciences": 2,
            "Éducation technologique (9e ou 10e année)": 1, "Histoire du Canada": 1,
            "Géographie du Canada": 1, "Arts": 1, "Éducation physique et santé": 1,
            "English": 1, "Exploration de carrière": HALF, "Civisme et citoyenneté": HALF,
            "STIM": 1, "Crédits au choix": 13}
        deso = Programme.objects.get(code="deso-2024")
        assert (deso.total_credits, deso.community_hours, deso.online_credits) == (30, 40, 2)
        assert deso.literacy_required and deso.financial_literacy_required
        assert deso.takes_cohort(2024) and not deso.takes_cohort(2023)

    def test_deso_2023_has_groups_1_2_and_3_and_no_stem(self):
        credits = names_and_credits("deso-2023")
        assert sum(credits.values()) == 30 and credits["Crédits au choix"] == 12
        assert {name: credits[name] for name in ("Groupe 1", "Groupe 2", "Groupe 3")} == {
            "Groupe 1": 1, "Groupe 2": 1, "Groupe 3": 1}
        assert "STIM" not in credits and not any("technologique" in n for n in credits)
        assert Programme.objects.get(code="deso-2023").takes_cohort(2023)

    def test_ceso_is_7_compulsory_and_7_optional_credits(self):
        credits = names_and_credits("ceso")
        assert credits.pop("Crédits au choix") == 7 and sum(credits.values()) == 7
        assert credits["Français"] == 2

    def test_french_and_maths_grade_slots(self):
        slots = {(code, name): value for code, name, value in Category.objects.filter(
            name_fr__in=["Français", "Mathématiques"]).values_list(
            "programme__code", "name_fr", "grade_slots")}
        assert slots == {
            ("deso-2024", "Français"): "1,2,3,4", ("deso-2023", "Français"): "1,2,3,4",
            ("ceso", "Français"): "", ("deso-2024", "Mathématiques"): "1,2,34",
            ("deso-2023", "Mathématiques"): "1234,1234,34", ("ceso", "Mathématiques"): ""}

    def test_deso_2023_caps_co_op_and_english_in_the_groups_only(self):
        caps = CategoryCap.objects.order_by("pk")
        assert [(cap.programme.code, cap.patterns, cap.credits,
                 sorted(c.name_fr for c in cap.categories.all())) for cap in caps] == [
            ("deso-2023", "DC", 2, ["Groupe 1", "Groupe 2", "Groupe 3"]),
            ("deso-2023", "EAE", 2, ["Groupe 1", "Groupe 2", "Groupe 3"])]

    def test_deso_2023_counts_at_most_2_english_credits_in_the_groups(self):
        """Four English credits and, for the groups, nothing else: English takes one, the
        groups two, the fourth is an optional credit."""
        lines = transcript(["EAE1D", "EAE2D", "EAE3U", "EAE4U"])
        progress = engine.progress(programme("deso-2023"), lines, Facts())
        by_name = {c.rule.key.name_fr: c.earned for c in progress.categories}
        assert by_name["English"] == 1 and by_name["Crédits au choix"] == 1
        assert sum(by_name[f"Groupe {n}"] for n in (1, 2, 3)) == 2

    def test_a_complete_deso_2024_transcript_meets_every_requirement(self):
        facts = Facts(community_hours=D(40), literacy_test_passed=True,
                      financial_literacy_met=True)
        lines = transcript(DESO_2024_TRANSCRIPT)
        lines = [CourseLine(key=x.key, code=x.code, credit=x.credit,
                            online=x.code in ("GLC2O", "CHV2O", "HSB4U")) for x in lines]
        progress = engine.progress(programme("deso-2024"), lines, facts)
        assert progress.earned == 30 and progress.remaining == 0 and progress.complete
        by_name = {c.rule.key.name_fr: [x.code for x in c.courses]
                   for c in progress.categories}
        assert by_name["STIM"][0][0] in "BIMST"
        assert by_name["English"] in (["EAE1D"], ["EAE2D"], ["EAE3U"], ["EAE4U"])

    def test_without_a_tech_credit_the_stem_course_cannot_stand_in_for_it(self):
        lines = transcript([x for x in DESO_2024_TRANSCRIPT if x != "TIJ1O"])
        progress = engine.progress(programme("deso-2024"), lines, Facts())
        tech = next(c for c in progress.categories if "technologique" in c.rule.key.name_fr)
        assert tech.remaining == 1
        assert progress.earned == 29  # the optional credits are all there

    def test_the_same_transcript_under_deso_2023_fills_the_groups(self):
        progress = engine.progress(programme("deso-2023"), transcript(DESO_2024_TRANSCRIPT),
                                   Facts())
        groups = {c.rule.key.name_fr: c.earned for c in progress.categories
                  if c.rule.key.name_fr.startswith("Groupe")}
        assert groups == {"Groupe 1": 1, "Groupe 2": 1, "Groupe 3": 1}
        assert progress.earned == 30

    def test_ceso_counts_14_of_the_same_transcript(self):
        progress = engine.progress(programme("ceso"), transcript(DESO_2024_TRANSCRIPT),
                                   Facts())
        assert progress.earned == 14 and progress.remaining == 0
        assert progress.requirements == []


# --- The optimum, against an exhaustive search -------------------------------------------

def exhaustive(capacities, sizes, eligible) -> int:
    best = 0
    for choice in itertools.product(*[[None, *e] for e in eligible]):
        load = [0] * len(capacities)
        for size, category in zip(sizes, choice, strict=True):
            if category is not None:
                load[category] += size
        best = max(best, sum(min(c, x) for c, x in zip(capacities, load, strict=True)))
    return best


@st.composite
def allocation_problems(draw, max_items=6):
    categories = draw(st.integers(1, 4))
    capacities = draw(st.lists(st.integers(0, 4), min_size=categories, max_size=categories))
    items = draw(st.integers(0, max_items))
    sizes = draw(st.lists(st.sampled_from([1, 2]), min_size=items, max_size=items))
    eligible = draw(st.lists(st.lists(st.integers(0, categories - 1), unique=True),
                             min_size=items, max_size=items))
    return capacities, sizes, eligible


@settings(max_examples=400, deadline=None)
@given(allocation_problems())
def test_the_allocation_is_the_optimum_of_an_exhaustive_search(problem):
    capacities, sizes, eligible = problem
    value, given_to, _counted = engine.allocate(capacities, sizes, eligible)
    load = [0] * len(capacities)
    for size, category, allowed in zip(sizes, given_to, eligible, strict=True):
        if category is not None:
            assert category in allowed
            load[category] += size
    assert value == sum(min(c, x) for c, x in zip(capacities, load, strict=True))
    assert value == exhaustive(capacities, sizes, eligible)


def exhaustive_with_limits(capacities, sizes, eligible, limits) -> int:
    """Every choice of a category and a number of units counted for every item."""
    owner: dict[int, int] = {}
    for index, limit in enumerate(limits):
        for item in limit.items:
            owner.setdefault(item, index)
    best = 0
    options = [[None, *((c, n) for c in e for n in range(1, size + 1))]
               for size, e in zip(sizes, eligible, strict=True)]
    for choice in itertools.product(*options):
        load, used = [0] * len(capacities), [0] * len(limits)
        for item, chosen in enumerate(choice):
            if chosen is not None:
                load[chosen[0]] += chosen[1]
                if item in owner and chosen[0] in limits[owner[item]].categories:
                    used[owner[item]] += chosen[1]
        if (all(x <= c for x, c in zip(load, capacities, strict=True))
                and all(u <= limit.room for u, limit in zip(used, limits, strict=True))):
            best = max(best, sum(load))
    return best


@st.composite
def capped_problems(draw):
    capacities, sizes, eligible = draw(allocation_problems(max_items=5))
    capacities = capacities[:3]
    eligible = [[c for c in e if c < len(capacities)] for e in eligible]
    limits = draw(st.lists(st.builds(
        engine.Limit, st.integers(0, 3),
        st.frozensets(st.integers(0, len(capacities) - 1), min_size=1),
        st.frozensets(st.integers(0, max(0, len(sizes) - 1)), max_size=len(sizes))),
        max_size=2))
    return capacities, sizes, eligible, limits


@settings(max_examples=300, deadline=None)
@given(capped_problems())
def test_the_allocation_with_caps_is_the_optimum_of_an_exhaustive_search(problem):
    capacities, sizes, eligible, limits = problem
    allocation = engine.allocate(capacities, sizes, eligible, limits)
    load = [0] * len(capacities)
    for size, category, counted, allowed in zip(sizes, allocation.given, allocation.counted,
                                                eligible, strict=True):
        assert 0 <= counted <= size and (category is None) == (counted == 0)
        if category is not None:
            assert category in allowed
            load[category] += counted
    assert all(x <= c for x, c in zip(load, capacities, strict=True))
    assert allocation.value == sum(load)
    assert allocation.value == exhaustive_with_limits(capacities, sizes, eligible, limits)


# --- Properties of any student's data ----------------------------------------------------

CODES = ["FRA1D", "FRA2D", "MTH1W", "MPM2D", "SNC1W", "SBI3U", "TIJ1O", "ICS2O", "AVI1O",
         "EAE1D", "GLC2O", "CHV2O", "CHC2D", "CGC1W", "PPL1O", "BBI2O", "HSB4U", "CCL4O",
         "MCR3U", "MHF4U", "DCO3O", "DCO4O", "EAE2D", "EAE3U"]
RULES = (
    Rule("fr", D(2), ("FRA",)), Rule("math", D(2), ("M",)), Rule("sci", HALF, ("S",)),
    Rule("tech", D(1), ("T??1", "T??2")), Rule("stem", D(1), ("B", "I", "M", "S", "T")),
    Rule("career", HALF, ("GLC2",)), Rule("civics", HALF, ("CHV2",)),
    Rule("arts-or-tech", D(1), ("A", "T")), Rule("optional", D(3), any_course=True),
)
PROGRAMME = engine.Programme(rules=RULES, community_hours=40, literacy_required=True,
                             literacy_courses=("CCL4O",), online_credits=2)
# Grade slots and caps, as in the DESO of 2023 and before.
CAPPED = engine.Programme(rules=(
    Rule("fr", D(2), ("FRA",), grade_slots=("1", "2")),
    Rule("math", D(3), ("M",), grade_slots=("1", "2", "34")), Rule("en", D(1), ("EAE",)),
    Rule("g1", D(1), ("C", "H", "EAE", "DC")), Rule("g2", D(1), ("P", "A", "EAE", "DC")),
    Rule("g3", HALF, ("S??3", "T", "I", "EAE", "DC")), Rule("optional", D(2), any_course=True),
), caps=(engine.Cap("co-op", D(1), ("DC",), frozenset(("g1", "g2", "g3"))),
         engine.Cap("english", D(1), ("EAE",), frozenset(("g1", "g2", "g3")))),
    online_credits=2)
PROGRAMMES = [PROGRAMME, CAPPED]

course_lines = st.builds(
    CourseLine, key=st.uuids(), code=st.sampled_from(CODES),
    credit=st.sampled_from([D(0), HALF, D(1)]), in_progress=st.booleans(),
    online=st.booleans())
facts = st.builds(Facts, community_hours=st.decimals(0, 60, places=1),
                  waived=st.dictionaries(st.sampled_from(["fr", "math", "g1", "optional"]),
                                         st.sampled_from([HALF, D(1)])))


@pytest.mark.parametrize("programme", PROGRAMMES, ids=["plain", "slots-and-caps"])
@settings(max_examples=300, deadline=None)
@given(lines=st.lists(course_lines, max_size=14), facts=facts)
def test_no_course_counts_twice_and_the_totals_add_up(programme, lines, facts):
    progress = engine.progress(programme, lines, facts)
    counted = [x for c in progress.categories for x in c.courses]
    forecast = [x for c in progress.categories for x in c.forecast_courses]
    assert len({id(x) for x in counted + forecast}) == len(counted + forecast)
    assert len({x.ministry_code for x in counted}) == len(counted)  # a course once
    earned = [x for x in lines if not x.in_progress and x.credit > 0]
    assert sorted(map(id, counted + progress.excess)) == sorted(map(id, earned))
    for category in progress.categories:
        total = sum((x.credit for x in category.courses), D(0))
        most = min(total, category.required - category.waived)
        # A cap may count part of a course: only where caps are.
        assert category.earned == most if not programme.caps else category.earned <= most
        assert all(category.rule.accepts(x.ministry_code) for x in category.courses)
        assert category.earned + category.waived + category.in_progress <= category.required
        assert category.remaining == category.required - category.earned - category.waived
    for cap in programme.caps:
        # What the capped categories count beyond their other courses is the cap's.
        capped = sum((max(D(0), c.earned - sum((x.credit for x in c.courses
                                                 if not x.code.startswith(cap.patterns)), D(0)))
                      for c in progress.categories if c.rule.key in cap.rules), D(0))
        assert capped <= cap.credits
    assert progress.required == sum(r.credits for r in programme.rules)
    assert progress.earned + progress.waived + progress.remaining == progress.required


@pytest.mark.parametrize("programme", PROGRAMMES, ids=["plain", "slots-and-caps"])
@settings(max_examples=300, deadline=None)
@given(lines=st.lists(course_lines, max_size=12), extra=course_lines, facts=facts)
def test_adding_a_course_never_lowers_progress(programme, lines, extra, facts):
    before = engine.progress(programme, lines, facts)
    after = engine.progress(programme, [*lines, extra], facts)
    assert after.earned >= before.earned
    assert after.remaining <= before.remaining
    for category in after.categories:
        assert category.remaining_if_passed <= category.remaining
    for old, new in zip(before.requirements, after.requirements, strict=True):
        assert new.done >= old.done
