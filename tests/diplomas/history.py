"""A Grade 11 student's history, worked by hand (the page tests and the browser's).

Grades 9 and 10 passed, MPM2D failed then retaken, ICS2O withdrawn (W, with the mark at
the time, which must never show), an equivalent credit granted on arrival, Grade 11 in
progress, 28 community hours, the OSSLT passed. Under DESO 2024 (Grade 9 in 2024):

| Category                 | Required | Earned                      | In progress       |
| Français                 | 4        | FRA1D FRA2D = 2             | FRA3U = 1         |
| Mathématiques            | 3        | MTH1W MPM2D (retaken) = 2   | MCR3U = 1         |
| Sciences                 | 2        | SNC1W SNC2D = 2             |                   |
| Éducation technologique  | 1        | TIJ1O = 1                   |                   |
| Histoire, Géographie     | 1 + 1    | CHC2D, CGC1W = 2            |                   |
| Arts, EPS, English       | 1 + 1 + 1| AVI1O, PPL1O, EAE1D = 3     |                   |
| Carrière, Civisme        | 0.5 + 0.5| GLC2O, CHV2O = 1            |                   |
| STIM                     | 1        | 0                           | SBI3U = 1         |
| Crédits au choix         | 13       | PPL2O EAE2D LWSBD = 3       | EAE3U = 1         |
| Total                    | 30       | 16                          | 4                 |

Left: 14 credits (10 if the courses in progress are passed), 12 hours, 1 online credit
(GLC2O and CHV2O were online), the financial literacy component.
"""

import datetime
from decimal import Decimal

from diplomas.models import DiplomaRecord
from students import models
from tests import factories

HALF = Decimal("0.5")
YEARS = {
    "2024-2025": (datetime.date(2024, 9, 3), datetime.date(2025, 6, 27)),
    "2025-2026": (datetime.date(2025, 9, 2), datetime.date(2026, 6, 26)),
}
RESULTS = [
    # (year, code, mark, credit, extra fields)
    ("2024-2025", "FRA1D", 78, 1, {}), ("2024-2025", "MTH1W", 72, 1, {}),
    ("2024-2025", "SNC1W", 81, 1, {}), ("2024-2025", "CGC1W", 75, 1, {}),
    ("2024-2025", "EAE1D", 80, 1, {}), ("2024-2025", "AVI1O", 85, 1, {}),
    ("2024-2025", "PPL1O", 90, 1, {}), ("2024-2025", "TIJ1O", 70, 1, {}),
    ("2025-2026", "FRA2D", 74, 1, {}), ("2025-2026", "MPM2D", 44, 0, {}),
    ("2025-2026", "MPM2D", 71, 1, {}), ("2025-2026", "SNC2D", 69, 1, {}),
    ("2025-2026", "CHC2D", 77, 1, {}), ("2025-2026", "EAE2D", 82, 1, {}),
    ("2025-2026", "GLC2O", 88, HALF, {"online": True}),
    ("2025-2026", "CHV2O", 79, HALF, {"online": True}),
    ("2025-2026", "ICS2O", 37, 0, {"withdrawn": True}),
    ("2025-2026", "PPL2O", 85, 1, {}),
    ("2024-2025", "LWSBD", None, 1, {"kind": models.CourseResult.Kind.EQUIVALENCY}),
]
IN_PROGRESS = ["FRA3U", "MCR3U", "SBI3U", "EAE3U"]
WITHDRAWN_MARK = 37


def course(code: str) -> models.Course:
    return factories.CourseFactory(code=code, title_fr=f"Cours {code}",
                                   title_en=f"Course {code}",
                                   credit_value=HALF if code[:3] in ("GLC", "CHV") else 1)


def give_history(student: models.Student, *, results: list | None = None) -> None:
    student.grade = 11
    student.save()
    years = {name: factories.SchoolYearFactory(name=name, start_date=start, end_date=end)
             for name, (start, end) in YEARS.items()}
    models.CourseResult.objects.bulk_create(
        models.CourseResult(student=student, course=course(code), school=student.school,
                            school_year=years[year], mark=mark, credit_earned=credit, **extra)
        for year, code, mark, credit, extra in (RESULTS if results is None else results))
    this_year = factories.SchoolYearFactory()
    term = models.Term.objects.get_or_create(
        school=student.school, school_year=this_year, code="S1",
        defaults={"name": "Semestre 1", "start_date": this_year.start_date,
                  "end_date": datetime.date(2027, 1, 29)})[0]
    for number, code in enumerate(IN_PROGRESS):
        section = factories.SectionFactory(course=course(code), term=term,
                                           school=student.school, section_number=str(number))
        models.SectionEnrolment.objects.create(student=student, section=section)
    DiplomaRecord.objects.create(student=student, community_hours=28,
                                 literacy_test_passed_on=datetime.date(2026, 3, 31))
