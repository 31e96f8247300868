"""The requirement engine: a pure function of a student's courses and a programme.

Each earned course counts whole toward at most one category, and the allocation maximises
the credits counted (categories are capped at their requirement). Courses come in half
credits, so the engine counts in halves ("units"). The optimum is found by branch and
bound: a maximum flow (which may split a course between two categories) bounds every
branch; a course the flow splits is then confined to one category in one branch and kept
out of it in the other, until a flow splits nothing. A flow that splits nothing is a valid
allocation, so the best one found is the optimum.

In-progress courses are then allocated, the same way, into what the earned courses leave:
the forecast "if the courses in progress are passed".
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

UNITS_PER_CREDIT = 2


def units(credits: Decimal | int | float) -> int:
    """Half credits, rounded down: a value the engine cannot count is worth nothing."""
    try:
        return max(0, int(Decimal(str(credits)) * UNITS_PER_CREDIT))
    except (ArithmeticError, ValueError):  # NaN, infinity
        return 0


def credits(count: int) -> Decimal:
    return Decimal(count) / UNITS_PER_CREDIT


@dataclass(frozen=True)
class Rule:
    """A requirement category as the engine reads it."""

    key: object
    credits: Decimal
    patterns: tuple[str, ...] = ()
    any_course: bool = False
    one_per_grade: bool = False  # at most one credit of each grade counts (Français)

    def accepts(self, code: str, grade: str | None = None) -> bool:
        """`grade`: the code's fourth character must be it (1 for Grade 9…)."""
        return ((self.any_course or _matcher(self.patterns)(code))
                and (grade is None or code[3:4] == grade))


@cache
def _matcher(patterns: tuple[str, ...]):
    if not patterns:
        return lambda code: False
    return re.compile("^(" + "|".join(p.replace("?", ".") for p in patterns) + ")").match


@dataclass(frozen=True)
class Programme:
    rules: tuple[Rule, ...]
    community_hours: int = 0
    literacy_required: bool = False
    literacy_courses: tuple[str, ...] = ()
    online_credits: int = 0
    financial_literacy_required: bool = False


@dataclass(frozen=True)
class CourseLine:
    key: object
    code: str
    credit: Decimal  # earned, or to be earned for a course in progress
    in_progress: bool = False
    online: bool = False

    @property
    def ministry_code(self) -> str:
        # The school's sixth character names a section of the same course.
        return self.code[:5].upper()


@dataclass(frozen=True)
class Facts:
    """What staff recorded besides courses."""

    community_hours: Decimal = Decimal(0)
    literacy_test_passed: bool = False
    online_opt_out: bool = False
    financial_literacy_met: bool = False
    waived: dict = field(default_factory=dict)  # rule key → credits


@dataclass
class CategoryProgress:
    rule: Rule
    required: Decimal
    earned: Decimal
    in_progress: Decimal
    waived: Decimal
    courses: list[CourseLine]
    forecast_courses: list[CourseLine]

    @property
    def remaining(self) -> Decimal:
        return max(Decimal(0), self.required - self.earned - self.waived)

    @property
    def remaining_if_passed(self) -> Decimal:
        return max(Decimal(0), self.remaining - self.in_progress)


@dataclass
class Requirement:
    """A requirement that is not credits: hours, literacy, online credits, financial
    literacy. `required` and `done` are numbers (hours, credits) or 1 and 0 for a yes/no."""

    name: str
    required: Decimal
    done: Decimal
    in_progress: Decimal = Decimal(0)
    opted_out: bool = False

    @property
    def met(self) -> bool:
        return self.opted_out or self.done >= self.required

    @property
    def remaining(self) -> Decimal:
        return Decimal(0) if self.met else self.required - self.done

    @property
    def remaining_if_passed(self) -> Decimal:
        return max(Decimal(0), self.remaining - self.in_progress)


@dataclass
class Progress:
    categories: list[CategoryProgress]
    requirements: list[Requirement]
    excess: list[CourseLine]  # earned, counted nowhere (beyond a requirement, or repeated)
    excess_in_progress: list[CourseLine]

    def _sum(self, name: str) -> Decimal:
        return sum((getattr(c, name) for c in self.categories), Decimal(0))

    @property
    def required(self) -> Decimal:
        return self._sum("required")

    @property
    def earned(self) -> Decimal:
        return self._sum("earned")

    @property
    def in_progress(self) -> Decimal:
        return self._sum("in_progress")

    @property
    def waived(self) -> Decimal:
        return self._sum("waived")

    @property
    def remaining(self) -> Decimal:
        return self._sum("remaining")

    @property
    def remaining_if_passed(self) -> Decimal:
        return self._sum("remaining_if_passed")

    @property
    def complete(self) -> bool:
        return not self.remaining and all(r.met for r in self.requirements)


# --- The allocation -----------------------------------------------------------------------

def allocate(capacities: Sequence[int], sizes: Sequence[int],
             eligible: Sequence[Sequence[int]]) -> tuple[int, list[int | None]]:
    """Give each item (its size in units) to at most one category of `eligible[i]` so
    that the sum over categories of min(capacity, units given) is the largest possible.

    Returns that sum and each item's category (None: counted nowhere). A category listed
    first in `eligible[i]` is preferred when it changes nothing to the sum.
    """
    best: list = [-1, [None] * len(sizes)]

    def branch(allowed: list[tuple[int, ...]]) -> None:
        value, flow = _max_flow(capacities, sizes, allowed)
        if value <= best[0]:
            return  # no allocation in this branch beats the best one found
        split = next((i for i, sent in enumerate(flow) if len(sent) > 1), None)
        if split is None:
            best[0] = value
            best[1] = [next(iter(sent), None) for sent in flow]
            return
        chosen = max(flow[split], key=flow[split].get)
        branch([*allowed[:split], (chosen,), *allowed[split + 1:]])
        branch([*allowed[:split], tuple(c for c in allowed[split] if c != chosen),
                *allowed[split + 1:]])

    branch([tuple(e) for e in eligible])
    return best[0], best[1]


def _max_flow(capacities: Sequence[int], sizes: Sequence[int],
              allowed: Sequence[tuple[int, ...]]) -> tuple[int, list[dict[int, int]]]:
    """Source → item (its size) → category (any) → sink (its capacity), by augmenting
    paths one unit at a time (sizes are 1 or 2: few units in all)."""
    load = [0] * len(capacities)
    flow: list[dict[int, int]] = [{} for _ in sizes]
    holders: list[dict[int, None]] = [{} for _ in capacities]  # items sending to each

    def push(item: int, category: int, amount: int) -> None:
        sent = flow[item].get(category, 0) + amount
        if sent:
            flow[item][category] = sent
            holders[category][item] = None
        else:
            del flow[item][category]
            del holders[category][item]

    def augment(item: int, seen: set[int]) -> bool:
        for category in allowed[item]:  # a category with room first, in preference order
            if category not in seen and load[category] < capacities[category]:
                push(item, category, 1)
                load[category] += 1
                return True
        for category in allowed[item]:  # else make room: move another item on
            if category in seen:
                continue
            seen.add(category)
            for other in list(holders[category]):
                if other != item and augment(other, seen):
                    push(other, category, -1)
                    push(item, category, 1)
                    return True
        return False

    total = 0
    for item, size in enumerate(sizes):
        for _unit in range(size):
            if not augment(item, set()):
                break
            total += 1
    return total, flow


# --- The engine ---------------------------------------------------------------------------

GRADES = "1234"  # a code's fourth character: Grades 9 to 12


@dataclass(frozen=True)
class Slot:
    """What the allocation fills: a rule, or one grade of a rule of one credit per grade."""

    rule: int
    grade: str | None
    room: int  # units


def _slots(rules: Sequence[Rule], room: Sequence[int]) -> list[Slot]:
    slots = []
    for index, rule in enumerate(rules):
        if not rule.one_per_grade:
            slots.append(Slot(index, None, room[index]))
            continue
        # One credit a grade; waived credits come off the earliest grades (a principal
        # waives them for a student who arrived after those grades).
        left, grades = room[index], []
        for grade in reversed(GRADES):
            grades.append(Slot(index, grade, min(UNITS_PER_CREDIT, left)))
            left -= grades[-1].room
        slots += reversed(grades)
    return slots


def _distribute(rules: Sequence[Rule], slots: Sequence[Slot], room: Sequence[int],
                lines: Sequence[CourseLine]) -> tuple[list[list[CourseLine]], list[CourseLine]]:
    """The lines each slot counts (`room`: each slot's), and those counted nowhere."""
    # Specific categories before "any course": a French credit shows under Français.
    order = sorted(range(len(slots)), key=lambda s: rules[slots[s].rule].any_course)
    eligible = [[s for s in order if rules[slots[s].rule].accepts(line.ministry_code,
                                                                    slots[s].grade)]
                for line in lines]
    _value, given = allocate(room, [units(line.credit) for line in lines], eligible)
    counted: list[list[CourseLine]] = [[] for _ in slots]
    nowhere = []
    for line, slot in zip(lines, given, strict=True):
        (counted[slot] if slot is not None else nowhere).append(line)
    return counted, nowhere


def _counted_units(lines: Iterable[CourseLine], room: int) -> int:
    return min(room, sum(units(line.credit) for line in lines))


def progress(programme: Programme, lines: Iterable[CourseLine], facts: Facts) -> Progress:
    """Where a student stands: per category, and for the other requirements."""
    earned, in_progress, repeated, repeated_in_progress = [], [], [], []
    seen: set[str] = set()
    # A course's credit is granted once: a second pass of the same course counts nowhere.
    for line in sorted(lines, key=lambda line: (line.in_progress, -units(line.credit))):
        if units(line.credit) == 0:
            continue
        if line.ministry_code in seen:
            (repeated_in_progress if line.in_progress else repeated).append(line)
            continue
        seen.add(line.ministry_code)
        (in_progress if line.in_progress else earned).append(line)

    rules = programme.rules
    waived = [min(units(facts.waived.get(rule.key, 0)), units(rule.credits)) for rule in rules]
    slots = _slots(rules, [units(rule.credits) - w for rule, w in zip(rules, waived,
                                                                        strict=True)])
    room = [slot.room for slot in slots]
    counted, excess = _distribute(rules, slots, room, earned)
    earned_units = [_counted_units(c, r) for c, r in zip(counted, room, strict=True)]
    left = [r - e for r, e in zip(room, earned_units, strict=True)]
    forecast, excess_in_progress = _distribute(rules, slots, left, in_progress)
    forecast_units = [_counted_units(f, r) for f, r in zip(forecast, left, strict=True)]

    def of_rule(index: int, values: list) -> list:
        return [value for slot, value in zip(slots, values, strict=True) if slot.rule == index]

    categories = [
        CategoryProgress(
            rule=rule, required=rule.credits,
            earned=credits(sum(of_rule(i, earned_units))),
            in_progress=credits(sum(of_rule(i, forecast_units))),
            waived=credits(waived[i]),
            courses=[line for lines in of_rule(i, counted) for line in lines],
            forecast_courses=[line for lines in of_rule(i, forecast) for line in lines])
        for i, rule in enumerate(rules)
    ]
    return Progress(categories=categories,
                    requirements=_requirements(programme, earned + repeated,
                                               in_progress + repeated_in_progress, facts),
                    excess=excess + repeated,
                    excess_in_progress=excess_in_progress + repeated_in_progress)


def _online_credits(lines: Iterable[CourseLine], *, besides: frozenset[str] = frozenset()
                    ) -> dict[str, Decimal]:
    """Each course's best online credit. A course passed online stays an online credit when
    it is passed again in class: the repeat adds no credit, and takes none away."""
    best: dict[str, Decimal] = {}
    for line in lines:
        if line.online and line.ministry_code not in besides:
            best[line.ministry_code] = max(best.get(line.ministry_code, Decimal(0)), line.credit)
    return best


def _requirements(programme: Programme, earned: list[CourseLine],
                  in_progress: list[CourseLine], facts: Facts) -> list[Requirement]:
    """The other requirements, from every pass of every course (repeats included)."""
    found = []
    if programme.community_hours:
        found.append(Requirement("community_hours", Decimal(programme.community_hours),
                                 Decimal(facts.community_hours)))
    if programme.literacy_required:
        literacy = Rule(key=None, credits=Decimal(0), patterns=programme.literacy_courses)
        passed = facts.literacy_test_passed or any(literacy.accepts(line.ministry_code)
                                                   for line in earned)
        taking = any(literacy.accepts(line.ministry_code) for line in in_progress)
        found.append(Requirement("literacy", Decimal(1), Decimal(int(passed)),
                                 in_progress=Decimal(int(taking and not passed))))
    if programme.online_credits:
        online = _online_credits(earned)
        online_in_progress = _online_credits(in_progress, besides=frozenset(online))
        found.append(Requirement(
            "online_credits", Decimal(programme.online_credits),
            sum(online.values(), Decimal(0)),
            in_progress=sum(online_in_progress.values(), Decimal(0)),
            opted_out=facts.online_opt_out))
    if programme.financial_literacy_required:
        found.append(Requirement("financial_literacy", Decimal(1),
                                 Decimal(int(facts.financial_literacy_met))))
    return found
