"""The requirement engine: a pure function of a student's courses and a programme.

Each earned course counts whole toward at most one category, and the allocation maximises
the credits counted (categories are capped at their requirement). Courses come in half
credits, so the engine counts in halves ("units"). The optimum is found by branch and
bound: a maximum flow (which may split a course between two categories) bounds every
branch; a course the flow splits is then confined to one category in one branch and kept
out of it in the other, until a flow splits nothing. A flow that splits nothing is a valid
allocation, so the best one found is the optimum.

A cap (at most 2 co-op credits in Groups 1 to 3) is a node of the flow between the source
and the courses it limits that count only in its categories; a course that may also count
elsewhere is free of the cap in the flow (so the flow still bounds the branch), and where it
makes the flow exceed the cap it is confined to the cap's categories in one branch and kept
out of them in the other.

In-progress courses are then allocated, the same way, into what the earned courses leave:
the forecast "if the courses in progress are passed".
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import NamedTuple

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
    # One credit each, of the grades a slot names by a code's fourth character: ("1", "2",
    # "34") is Grade 9, Grade 10, and Grade 11 or 12. Empty: credits of any grade.
    grade_slots: tuple[str, ...] = ()

    def accepts(self, code: str, grades: str | None = None) -> bool:
        """`grades`: the code's fourth character must be one of them (1 for Grade 9…)."""
        return ((self.any_course or _matcher(self.patterns)(code))
                and (grades is None or (len(code) > 3 and code[3] in grades)))


@dataclass(frozen=True)
class Cap:
    """At most `credits` of the courses matching `patterns` count in the rules keyed
    `rules`, all together (DESO of 2023 and before: 2 co-op credits in Groups 1 to 3)."""

    key: object
    credits: Decimal
    patterns: tuple[str, ...]
    rules: frozenset


@cache
def _matcher(patterns: tuple[str, ...]):
    if not patterns:
        return lambda code: False
    return re.compile("^(" + "|".join(p.replace("?", ".") for p in patterns) + ")").match


@dataclass(frozen=True)
class Programme:
    rules: tuple[Rule, ...]
    caps: tuple[Cap, ...] = ()
    community_hours: int = 0
    literacy_required: bool = False
    literacy_courses: tuple[str, ...] = ()
    online_credits: int = 0
    financial_literacy_required: bool = False


def ministry_code(code: str) -> str:
    """A course's code as the Ministry writes it: the school's sixth character names a
    section of the same course."""
    return code[:5].upper()


@dataclass(frozen=True)
class CourseLine:
    key: object
    code: str
    credit: Decimal  # earned, or to be earned for a course in progress
    in_progress: bool = False
    online: bool = False

    @property
    def ministry_code(self) -> str:
        return ministry_code(self.code)


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
    # Waived compulsory credits that the optional credits' requirement took over: waived in
    # their category, still to be earned in all.
    moved: Decimal = Decimal(0)

    def _sum(self, name: str) -> Decimal:
        return sum((getattr(c, name) for c in self.categories), Decimal(0))

    @property
    def required(self) -> Decimal:
        return self._sum("required") - self.moved

    @property
    def earned(self) -> Decimal:
        return self._sum("earned")

    @property
    def in_progress(self) -> Decimal:
        return self._sum("in_progress")

    @property
    def waived(self) -> Decimal:
        return self._sum("waived") - self.moved

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

class Limit(NamedTuple):
    """The items of `items` count at most `room` units in `categories`, all together."""

    room: int
    categories: frozenset[int]
    items: frozenset[int]


class Allocation(NamedTuple):
    value: int
    given: list[int | None]  # each item's category, None: counted nowhere
    counted: list[int]  # the units each item counts there


def allocate(capacities: Sequence[int], sizes: Sequence[int],
             eligible: Sequence[Sequence[int]], limits: Sequence[Limit] = ()) -> Allocation:
    """Give each item (its size in units) to at most one category of `eligible[i]`, and
    count some of its units there, so that each category counts at most its capacity, each
    limit is kept, and the units counted add up to the most possible. An item in the
    items of several limits obeys the first only.

    A category listed first in `eligible[i]` is preferred when it changes nothing to the sum.
    """
    limit_of: dict[int, int] = {}
    for index, limit in enumerate(limits):
        for item in limit.items:
            limit_of.setdefault(item, index)
    best: list = [-1, None]

    def branch(allowed: list[tuple[int, ...]]) -> None:
        # An item allowed only in its limit's categories goes through the limit in the flow;
        # the others are free of their limit there: the flow still bounds the branch.
        confined = {item: index if allowed[item]
                    and limits[index].categories.issuperset(allowed[item]) else None
                    for item, index in limit_of.items()}
        value, flow = _max_flow(capacities, sizes, allowed, confined,
                                [limit.room for limit in limits])
        if value <= best[0]:
            return  # no allocation in this branch beats the best one found
        split = next((i for i, sent in enumerate(flow) if len(sent) > 1), None)
        if split is not None:
            chosen = max(flow[split], key=flow[split].get)
            branch(_narrowed(allowed, split, (chosen,)))
            branch(_narrowed(allowed, split, tuple(c for c in allowed[split] if c != chosen)))
            return
        over = _over_a_limit(flow, limits, limit_of, confined)
        if over is None:
            best[0] = value
            best[1] = flow
            return
        # A free item counts where its limit is exceeded: either it counts within the limit
        # (confined to its categories) or it stays out of them.
        inside = limits[limit_of[over]].categories
        branch(_narrowed(allowed, over, tuple(c for c in allowed[over] if c in inside)))
        branch(_narrowed(allowed, over, tuple(c for c in allowed[over] if c not in inside)))

    branch([tuple(e) for e in eligible])
    flow = best[1]
    return Allocation(best[0], [next(iter(sent), None) for sent in flow],
                      [sum(sent.values()) for sent in flow])


def _narrowed(allowed: list[tuple[int, ...]], item: int,
              categories: tuple[int, ...]) -> list[tuple[int, ...]]:
    return [*allowed[:item], categories, *allowed[item + 1:]]


def _over_a_limit(flow: list[dict[int, int]], limits: Sequence[Limit],
                  limit_of: dict[int, int], confined: dict[int, int | None]) -> int | None:
    """A free item counting in the categories of a limit its units exceed, if any."""
    for index, limit in enumerate(limits):
        inside = [item for item, own in limit_of.items() if own == index
                  and any(c in limit.categories for c in flow[item])]
        if sum(sum(flow[item].values()) for item in inside) > limit.room:
            return next(item for item in inside if confined[item] is None)
    return None


def _max_flow(capacities: Sequence[int], sizes: Sequence[int],
              allowed: Sequence[tuple[int, ...]], confined: dict[int, int | None],
              rooms: Sequence[int]) -> tuple[int, list[dict[int, int]]]:
    """Source → limit (its room) → the items confined to it, source → any other item;
    item (its size) → category (any) → sink (its capacity), by augmenting paths one unit at
    a time (sizes are 1 or 2: few units in all)."""
    load = [0] * len(capacities)
    flow: list[dict[int, int]] = [{} for _ in sizes]
    holders: list[dict[int, None]] = [{} for _ in capacities]  # items sending to each
    members: list[list[int]] = [[] for _ in rooms]
    for item, index in confined.items():
        if index is not None:
            members[index].append(item)
    through = [0] * len(rooms)

    def push(item: int, category: int, amount: int) -> None:
        sent = flow[item].get(category, 0) + amount
        if sent:
            flow[item][category] = sent
            holders[category][item] = None
        else:
            del flow[item][category]
            del holders[category][item]

    def augment(item: int, seen: set[int], seen_limits: set[int]) -> bool:
        """One more unit from `item`, moving other items on if need be."""
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
                if other != item and (augment(other, seen, seen_limits)
                                      or hand_over(other, seen, seen_limits)):
                    push(other, category, -1)
                    push(item, category, 1)
                    return True
        return False

    def hand_over(item: int, seen: set[int], seen_limits: set[int]) -> bool:
        """One more unit from another item of `item`'s limit, so that `item` can count one
        less and the limit as much."""
        index = confined.get(item)
        if index is None or index in seen_limits:
            return False
        seen_limits.add(index)
        return any(other != item and sum(flow[other].values()) < sizes[other]
                   and augment(other, seen, seen_limits) for other in members[index])

    total = 0
    for item, size in enumerate(sizes):
        index = confined.get(item)
        for _unit in range(size - sum(flow[item].values())):  # some may come by hand_over
            if index is not None and through[index] >= rooms[index]:
                break
            if not augment(item, set(), set()):
                break
            total += 1
            if index is not None:
                through[index] += 1
    return total, flow


# --- The engine ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Slot:
    """What the allocation fills: a rule, or one grade slot of a rule."""

    rule: int
    grades: str | None
    room: int  # units


def _slots(rules: Sequence[Rule], room: Sequence[int]) -> list[Slot]:
    slots = []
    for index, rule in enumerate(rules):
        if not rule.grade_slots:
            slots.append(Slot(index, None, room[index]))
            continue
        # A credit a slot; waived credits come off the earliest slots (a principal waives
        # them for a student who arrived after those grades).
        left, found = room[index], []
        for grades in reversed(rule.grade_slots):
            found.append(Slot(index, grades, min(UNITS_PER_CREDIT, left)))
            left -= found[-1].room
        slots += reversed(found)
    return slots


@dataclass
class _Shares:
    """What an allocation gives each slot, and what it leaves."""

    lines: list[list[CourseLine]]
    units: list[int]
    nowhere: list[CourseLine]
    capped: list[int]  # units counted within each cap


def _distribute(programme: Programme, slots: Sequence[Slot], room: Sequence[int],
                cap_room: Sequence[int], lines: Sequence[CourseLine]) -> _Shares:
    """The lines each slot counts (`room`: each slot's; `cap_room`: each cap's)."""
    rules = programme.rules
    # Specific categories before "any course": a French credit shows under Français.
    order = sorted(range(len(slots)), key=lambda s: rules[slots[s].rule].any_course)
    eligible = [[s for s in order if rules[slots[s].rule].accepts(line.ministry_code,
                                                                    slots[s].grades)]
                for line in lines]
    limits, taken = [], set()
    for cap, units_left in zip(programme.caps, cap_room, strict=True):
        matching = {i for i, line in enumerate(lines)
                    if _matcher(cap.patterns)(line.ministry_code)} - taken
        taken |= matching  # a course matching two caps obeys the first
        limits.append(Limit(units_left, frozenset(
            s for s, slot in enumerate(slots) if rules[slot.rule].key in cap.rules),
            frozenset(matching)))
    allocation = allocate(room, [units(line.credit) for line in lines], eligible, limits)
    shares = _Shares([[] for _ in slots], [0] * len(slots), [], [0] * len(limits))
    for i, (line, slot, counted) in enumerate(zip(lines, allocation.given, allocation.counted,
                                                  strict=True)):
        if slot is None:
            shares.nowhere.append(line)
            continue
        shares.lines[slot].append(line)
        shares.units[slot] += counted
        for index, limit in enumerate(limits):
            if i in limit.items and slot in limit.categories:
                shares.capped[index] += counted
    return shares


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
    # A waived compulsory credit is still one of the programme's credits (30 for the DESO):
    # the course a principal substitutes, or the equivalent credit granted on arrival,
    # stands in for it, and counts among the optional credits, which require it in addition.
    optional = next((i for i, rule in enumerate(rules) if rule.any_course), None)
    moved = 0 if optional is None else sum(
        w for rule, w in zip(rules, waived, strict=True) if not rule.any_course)
    added = [moved if i == optional else 0 for i in range(len(rules))]
    slots = _slots(rules, [units(rule.credits) - w + a
                           for rule, w, a in zip(rules, waived, added, strict=True)])
    room = [slot.room for slot in slots]
    cap_room = [units(cap.credits) for cap in programme.caps]
    counted = _distribute(programme, slots, room, cap_room, earned)
    forecast = _distribute(
        programme, slots, [r - e for r, e in zip(room, counted.units, strict=True)],
        [r - c for r, c in zip(cap_room, counted.capped, strict=True)], in_progress)

    def of_rule(index: int, values: list) -> list:
        return [value for slot, value in zip(slots, values, strict=True) if slot.rule == index]

    categories = [
        CategoryProgress(
            rule=rule, required=rule.credits + credits(added[i]),
            earned=credits(sum(of_rule(i, counted.units))),
            in_progress=credits(sum(of_rule(i, forecast.units))),
            waived=credits(waived[i]),
            courses=[line for lines in of_rule(i, counted.lines) for line in lines],
            forecast_courses=[line for lines in of_rule(i, forecast.lines) for line in lines])
        for i, rule in enumerate(rules)
    ]
    return Progress(categories=categories,
                    requirements=_requirements(programme, earned + repeated,
                                               in_progress + repeated_in_progress, facts),
                    excess=counted.nowhere + repeated,
                    excess_in_progress=forecast.nowhere + repeated_in_progress,
                    moved=credits(moved))


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
