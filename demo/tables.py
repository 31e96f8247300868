"""The demo board's fixed tables: schools, courses, attendance codes, timetables and names.

All names of schools and people are invented. Phone numbers use 555-01xx, the range kept
for fiction; NISOs start with 999, so no demo record can be mistaken for a real one.
"""

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from students.models import AttendanceCode, Level, ParentForm

Kind = AttendanceCode.Kind


@dataclass(frozen=True)
class DemoSchool:
    code: str
    ministry_number: str
    name: str
    level: str
    grades: tuple[int, int]
    city: str
    street: str
    postal_code: str
    phone: str
    principal: str


ELEMENTARY, SECONDARY = Level.ELEMENTARY, Level.SECONDARY

SCHOOLS = (
    DemoSchool("EEPTB", "990101", "École élémentaire publique Trille-Blanc", ELEMENTARY, (-1, 6),
               "Ottawa", "310, chemin Montréal", "K1L 6B4", "6135550101",
               "Mme Hélène Charbonneau"),
    DemoSchool("EEPRR", "990102", "École élémentaire publique Rivière-Rideau", ELEMENTARY,
               (-1, 6), "Ottawa", "85, avenue Beechwood", "K1M 1L9", "6135550102",
               "M. Rachid Benali"),
    DemoSchool("EEPER", "990103", "École élémentaire publique Les Érables", ELEMENTARY, (-1, 6),
               "Orléans", "1450, boulevard Saint-Joseph", "K1C 7K2", "6135550103",
               "Mme Geneviève Sabourin"),
    DemoSchool("EEPCL", "990104", "École élémentaire publique Champ-de-Lune", ELEMENTARY,
               (-1, 6), "Orléans", "2200, promenade Tenth Line", "K4A 4X3", "6135550104",
               "M. Denis Quesnel"),
    DemoSchool("EEPHB", "990105", "École élémentaire publique Le Héron-Bleu", ELEMENTARY,
               (-1, 8), "Kanata", "600, promenade Earl-Grey", "K2T 1B7", "6135550105",
               "Mme Mireille Lacroix"),
    DemoSchool("EEPHU", "990106", "École élémentaire publique Les Huards", ELEMENTARY, (-1, 6),
               "Cornwall", "1120, rue Pitt", "K6J 3S2", "6135550106", "M. Luc Brisebois"),
    DemoSchool("EEPLB", "990107", "École élémentaire publique La Boussole", ELEMENTARY, (-1, 6),
               "Kingston", "455, rue Division", "K7K 4A9", "6135550107",
               "Mme Amira Haddad"),
    DemoSchool("EEPPP", "990108", "École élémentaire publique Pointe-aux-Pins", ELEMENTARY,
               (-1, 6), "Trenton", "75, rue Dundas Ouest", "K8V 3P3", "6135550108",
               "M. François Giroux"),
    DemoSchool("EEPDP", "990109", "École élémentaire publique Des Pionniers", ELEMENTARY,
               (-1, 6), "Pembroke", "240, rue Pembroke Est", "K8A 3J8", "6135550109",
               "Mme Chantal Villeneuve"),
    DemoSchool("EEPVC", "990110", "École élémentaire publique Val-des-Cerfs", ELEMENTARY,
               (-1, 8), "Hawkesbury", "515, rue Principale Est", "K6A 1B2", "6135550110",
               "M. Sylvain Chartrand"),
    DemoSchool("ESPEV", "990201", "École secondaire publique L'Envolée", SECONDARY, (7, 12),
               "Ottawa", "1350, avenue Coventry", "K1K 4R1", "6135550121",
               "Mme Nathalie Proulx"),
    DemoSchool("ESPGP", "990202", "École secondaire publique Des Grands-Pins", SECONDARY,
               (7, 12), "Orléans", "2000, boulevard Jeanne-d'Arc", "K1E 3T5", "6135550122",
               "M. Karim Ndiaye"),
    DemoSchool("ESPSB", "990203", "École secondaire publique Sentier-Boréal", SECONDARY, (9, 12),
               "Kanata", "320, promenade Terry-Fox", "K2K 3L5", "6135550123",
               "Mme Isabelle Laflamme"),
    DemoSchool("ESPPO", "990204", "École secondaire publique Le Portage", SECONDARY, (7, 12),
               "Cornwall", "1500, avenue Second Est", "K6H 2C4", "6135550124",
               "M. Éric Séguin"),
    DemoSchool("ESPLO", "990205", "École secondaire publique Lac-Ontario", SECONDARY, (7, 12),
               "Kingston", "1055, chemin Gardiners", "K7P 1R7", "3435550125",
               "Mme Valérie Lafleur"),
    DemoSchool("ESPBQ", "990206", "École secondaire publique Baie-de-Quinte", SECONDARY, (7, 12),
               "Trenton", "180, rue Bay", "K8V 1H9", "6135550126", "M. Olivier Demers"),
    DemoSchool("ESPHR", "990207", "École secondaire publique Haute-Rivière", SECONDARY, (7, 12),
               "Pembroke", "90, rue Mary", "K8A 5V3", "6135550127",
               "Mme Sophie Beaudoin"),
    DemoSchool("ESPLR", "990208", "École secondaire publique Les Rapides", SECONDARY, (9, 12),
               "Hawkesbury", "750, rue Tupper", "K6A 3S6", "6135550128",
               "M. Stéphane Lalonde"),
)

# Where families live: the forward sortation areas of each community, and how many of the
# board's families live there (relative weights).
CITIES = {
    "Ottawa": (("K1G", "K1K", "K1L", "K1M", "K1N"), 5),
    "Orléans": (("K1C", "K1E", "K1W", "K4A"), 6),
    "Kanata": (("K2K", "K2L", "K2M", "K2T", "K2W"), 4),
    "Cornwall": (("K6H", "K6J", "K6K"), 3),
    "Kingston": (("K7K", "K7L", "K7M", "K7P"), 2),
    "Trenton": (("K8V",), 1),
    "Pembroke": (("K8A",), 1),
    "Hawkesbury": (("K6A",), 2),
}

STREETS = (
    "rue des Pins", "avenue des Érables", "rue Principale", "croissant des Bouleaux",
    "rue Champlain", "rue Notre-Dame", "promenade du Lac", "rue des Lilas", "rue du Parc",
    "chemin de la Rivière", "rue Lafontaine", "avenue Laurier", "rue Cartier",
    "rue des Merisiers", "impasse des Mésanges", "rue Dollard", "promenade des Outaouais",
    "rue Sainte-Anne", "avenue des Cèdres", "rue de la Colline",
)


def school_year_name(start_year: int) -> str:
    return f"{start_year}-{start_year + 1}"


# The demo's "now": the school year 2026-2027 and the last school day before Sunday
# 29 November 2026. Attendance is recorded up to that day, whatever the clock says.
CURRENT_YEAR = 2026
RECORDED_UNTIL = date(2026, 11, 27)
FIRST_RECORDED_YEAR = 2023  # transcripts reach back to the Grade 12 students' Grade 9
TERMS_FROM_YEAR = 2025      # terms, sections and timetables exist from this year on

# Attendance codes: the board's own table (each Ontario board has its own codes).
ATTENDANCE_CODES = (
    # code, French label, English label, kind, excused (known reason)
    ("PRE", "Présent", "Present", Kind.PRESENT, True),
    ("ABS", "Absence motivée", "Excused absence", Kind.ABSENT, True),
    ("ANM", "Absence non motivée", "Unexcused absence", Kind.ABSENT, False),
    ("MAL", "Maladie", "Illness", Kind.ABSENT, True),
    ("RDV", "Rendez-vous médical", "Medical appointment", Kind.ABSENT, True),
    ("REL", "Fête religieuse", "Religious holiday", Kind.ABSENT, True),
    ("JGA", "Journée générale d'absence", "General absence day", Kind.ABSENT, True),
    ("RET", "Retard non motivé", "Unexcused late", Kind.LATE, False),
    ("RTM", "Retard motivé", "Excused late", Kind.LATE, True),
    ("ACT", "Activité scolaire", "School activity", Kind.SCHOOL_ACTIVITY, True),
    ("SOR", "Sortie éducative", "Field trip", Kind.SCHOOL_ACTIVITY, True),
)

# (code, weight, reasons a secretary might type; empty means none given)
ATTENDANCE_DRAWS = (
    ("ABS", 12, ("Raison familiale", "Rendez-vous chez le dentiste", "Funérailles")),
    ("ANM", 6, ("",)),
    ("MAL", 16, ("Grippe", "Gastro", "Fièvre", "Mal de tête", "")),
    ("RDV", 5, ("Rendez-vous chez le médecin", "Orthodontiste", "Optométriste")),
    ("REL", 1, ("",)),
    ("RET", 12, ("", "Autobus en retard")),
    ("RTM", 6, ("Autobus en retard", "Rendez-vous médical")),
    ("ACT", 4, ("Tournoi de volleyball", "Conseil des élèves", "Cross-country régional")),
    ("SOR", 3, ("Sortie au Musée canadien de la nature", "Visite au Parlement",
                "Sortie au Musée canadien de l'histoire")),
)
# A snow storm: buses cancelled, every student of the town's schools recorded absent.
GENERAL_ABSENCE_DAYS = {"Pembroke": date(2026, 11, 19)}
GENERAL_ABSENCE_REASON = "Transport scolaire annulé (tempête)"
# How many days with a record a student has (0 to 8): the weights.
RECORDS_PER_STUDENT = (12, 15, 16, 15, 13, 10, 8, 6, 5)

# Course catalogue: (code, French title, English title, credit value).
HALF = Decimal("0.5")
SECONDARY_COURSES = (
    ("FRA1D", "Français, 9e année, cours théorique", "French, Grade 9, Academic", 1),
    ("MTH1W", "Mathématiques, 9e année, cours décloisonné", "Mathematics, Grade 9, De-streamed",
     1),
    ("SNC1W", "Sciences, 9e année, cours décloisonné", "Science, Grade 9, De-streamed", 1),
    ("CGC1W", "Enjeux géographiques du Canada, 9e année, cours décloisonné",
     "Exploring Canadian Geography, Grade 9, De-streamed", 1),
    ("EAE1D", "English, 9e année, cours théorique", "English, Grade 9, Academic", 1),
    ("AVI1O", "Arts visuels, 9e année, cours ouvert", "Visual Arts, Grade 9, Open", 1),
    ("AMU1O", "Musique, 9e année, cours ouvert", "Music, Grade 9, Open", 1),
    ("PPL1O", "Vie active et santé, 9e année, cours ouvert",
     "Healthy Active Living Education, Grade 9, Open", 1),
    ("TIJ1O", "Initiation à la technologie, 9e année, cours ouvert",
     "Exploring Technologies, Grade 9, Open", 1),
    ("FRA2D", "Français, 10e année, cours théorique", "French, Grade 10, Academic", 1),
    ("MPM2D", "Principes de mathématiques, 10e année, cours théorique",
     "Principles of Mathematics, Grade 10, Academic", 1),
    ("SNC2D", "Sciences, 10e année, cours théorique", "Science, Grade 10, Academic", 1),
    ("CHC2D", "Histoire du Canada depuis la Première Guerre mondiale, 10e année, cours "
     "théorique", "Canadian History since World War I, Grade 10, Academic", 1),
    ("EAE2D", "English, 10e année, cours théorique", "English, Grade 10, Academic", 1),
    ("GLC2O", "Exploration de carrière, 10e année, cours ouvert",
     "Career Studies, Grade 10, Open", HALF),
    ("CHV2O", "Civisme et citoyenneté, 10e année, cours ouvert",
     "Civics and Citizenship, Grade 10, Open", HALF),
    ("PPL2O", "Vie active et santé, 10e année, cours ouvert",
     "Healthy Active Living Education, Grade 10, Open", 1),
    ("AVI2O", "Arts visuels, 10e année, cours ouvert", "Visual Arts, Grade 10, Open", 1),
    ("ICS2O", "Introduction au génie informatique, 10e année, cours ouvert",
     "Introduction to Computer Studies, Grade 10, Open", 1),
    ("BBI2O", "Introduction aux affaires, 10e année, cours ouvert",
     "Introduction to Business, Grade 10, Open", 1),
    ("FRA3U", "Français, 11e année, cours préuniversitaire",
     "French, Grade 11, University Preparation", 1),
    ("MCR3U", "Fonctions, 11e année, cours préuniversitaire",
     "Functions, Grade 11, University Preparation", 1),
    ("SBI3U", "Biologie, 11e année, cours préuniversitaire",
     "Biology, Grade 11, University Preparation", 1),
    ("SCH3U", "Chimie, 11e année, cours préuniversitaire",
     "Chemistry, Grade 11, University Preparation", 1),
    ("SPH3U", "Physique, 11e année, cours préuniversitaire",
     "Physics, Grade 11, University Preparation", 1),
    ("EAE3U", "English, 11e année, cours préuniversitaire",
     "English, Grade 11, University Preparation", 1),
    ("ICS3U", "Introduction au génie informatique, 11e année, cours préuniversitaire",
     "Introduction to Computer Science, Grade 11, University Preparation", 1),
    ("CHW3M", "Histoire mondiale jusqu'à la fin du XVe siècle, 11e année, cours "
     "préuniversitaire/précollégial",
     "World History to the End of the Fifteenth Century, Grade 11, University/College", 1),
    ("AVI3M", "Arts visuels, 11e année, cours préuniversitaire/précollégial",
     "Visual Arts, Grade 11, University/College Preparation", 1),
    ("PPL3O", "Vie active et santé, 11e année, cours ouvert",
     "Healthy Active Living Education, Grade 11, Open", 1),
    ("FRA4U", "Français, 12e année, cours préuniversitaire",
     "French, Grade 12, University Preparation", 1),
    ("MHF4U", "Fonctions avancées, 12e année, cours préuniversitaire",
     "Advanced Functions, Grade 12, University Preparation", 1),
    ("MCV4U", "Calcul et vecteurs, 12e année, cours préuniversitaire",
     "Calculus and Vectors, Grade 12, University Preparation", 1),
    ("MDM4U", "Mathématiques de la gestion des données, 12e année, cours préuniversitaire",
     "Mathematics of Data Management, Grade 12, University Preparation", 1),
    ("SBI4U", "Biologie, 12e année, cours préuniversitaire",
     "Biology, Grade 12, University Preparation", 1),
    ("SCH4U", "Chimie, 12e année, cours préuniversitaire",
     "Chemistry, Grade 12, University Preparation", 1),
    ("SPH4U", "Physique, 12e année, cours préuniversitaire",
     "Physics, Grade 12, University Preparation", 1),
    ("EAE4U", "English, 12e année, cours préuniversitaire",
     "English, Grade 12, University Preparation", 1),
    ("ICS4U", "Génie informatique, 12e année, cours préuniversitaire",
     "Computer Science, Grade 12, University Preparation", 1),
    ("CGW4U", "Enjeux géographiques mondiaux : une analyse spatiale, 12e année, cours "
     "préuniversitaire", "World Issues: A Geographic Analysis, Grade 12, University "
     "Preparation", 1),
    ("AVI4M", "Arts visuels, 12e année, cours préuniversitaire/précollégial",
     "Visual Arts, Grade 12, University/College Preparation", 1),
    ("HSB4U", "Défis et changements dans la société, 12e année, cours préuniversitaire",
     "Challenge and Change in Society, Grade 12, University Preparation", 1),
)

# Courses the board also offers online (for the two online learning credits).
ONLINE_COURSES = ("GLC2O", "CHV2O", "PPL3O", "CHW3M", "HSB4U")

# Elementary "courses" have local codes: subject + grade (FRA05 = Français, 5e année).
# (prefix, French subject, English subject, first grade, last grade)
ELEMENTARY_SUBJECTS = (
    ("FRA", "Français", "French", 1, 8),
    ("MAT", "Mathématiques", "Mathematics", 1, 8),
    ("SCI", "Sciences et technologie", "Science and Technology", 1, 8),
    ("ETU", "Études sociales", "Social Studies", 1, 6),
    ("HIG", "Histoire et géographie", "History and Geography", 7, 8),
    ("EPS", "Éducation physique et santé", "Health and Physical Education", 1, 8),
    ("ART", "Éducation artistique", "The Arts", 1, 8),
    ("ANG", "English", "English", 4, 8),
)
KINDERGARTEN_COURSES = {
    -1: ("PMJE1", "Maternelle", "Kindergarten, Year 1"),
    0: ("PMJE2", "Jardin d'enfants", "Kindergarten, Year 2"),
}


def elementary_code(prefix: str, grade: int) -> str:
    return f"{prefix}{grade:02d}"


# Secondary timetables: per grade and semester, four slots (one per period of the day).
# A slot lists its options; an option is the courses taken together in that slot (the two
# half-credit courses GLC2O and CHV2O share one).
SECONDARY_SLOTS = {
    7: {
        "S1": ((("FRA07",),), (("MAT07",),), (("SCI07",),), (("ANG07",),)),
        "S2": ((("FRA07",),), (("MAT07",),), (("HIG07",),), (("EPS07", "ART07"),)),
    },
    8: {
        "S1": ((("FRA08",),), (("MAT08",),), (("SCI08",),), (("ANG08",),)),
        "S2": ((("FRA08",),), (("MAT08",),), (("HIG08",),), (("EPS08", "ART08"),)),
    },
    9: {
        "S1": ((("FRA1D",),), (("MTH1W",),), (("SNC1W",),), (("CGC1W",),)),
        "S2": ((("EAE1D",),), (("PPL1O",),), (("TIJ1O",),), (("AVI1O",), ("AMU1O",))),
    },
    10: {
        "S1": ((("FRA2D",),), (("MPM2D",),), (("SNC2D",),), (("CHC2D",),)),
        "S2": ((("EAE2D",),), (("GLC2O", "CHV2O"),), (("PPL2O",), ("AVI2O",)),
               (("ICS2O",), ("BBI2O",))),
    },
    11: {
        "S1": ((("FRA3U",),), (("MCR3U",),), (("SBI3U",),), (("EAE3U",),)),
        "S2": ((("SCH3U",), ("SPH3U",)), (("ICS3U",), ("AVI3M",)), (("CHW3M",),),
               (("PPL3O",),)),
    },
    12: {
        "S1": ((("FRA4U",),), (("MHF4U",),), (("SBI4U",), ("SPH4U",)), (("EAE4U",),)),
        "S2": ((("MCV4U",), ("MDM4U",)), (("SCH4U",), ("ICS4U",)), (("CGW4U",),),
               (("AVI4M",), ("HSB4U",))),
    },
}

# Four 75-minute periods, lunch between the second and third.
SECONDARY_PERIODS = (
    (time(8, 15), time(9, 30)),
    (time(9, 35), time(10, 50)),
    (time(11, 40), time(12, 55)),
    (time(13, 0), time(14, 15)),
)

# Elementary day: six 50-minute periods around two nutrition breaks.
ELEMENTARY_PERIODS = (
    (time(8, 45), time(9, 35)),
    (time(9, 35), time(10, 25)),
    (time(10, 45), time(11, 35)),
    (time(11, 35), time(12, 25)),
    (time(13, 5), time(13, 55)),
    (time(13, 55), time(14, 45)),
)
# The homeroom week: one row per period, one subject per day (Monday to Friday).
# "SOC" stands for the grade's social studies (ETU to Grade 6, HIG in Grades 7 and 8);
# "ANG" becomes French before Grade 4.
ELEMENTARY_WEEK = (
    ("FRA", "FRA", "FRA", "FRA", "FRA"),
    ("FRA", "FRA", "FRA", "FRA", "FRA"),
    ("MAT", "MAT", "MAT", "MAT", "MAT"),
    ("MAT", "SCI", "MAT", "SCI", "SOC"),
    ("EPS", "SOC", "EPS", "ART", "EPS"),
    ("ANG", "SCI", "SOC", "ANG", "ART"),
)

# Students per homeroom class (elementary) or per cohort sharing a timetable (secondary).
CLASS_SIZE = {ELEMENTARY: 24, SECONDARY: 28}

FEMALE_NAMES = (
    "Léa", "Emma", "Chloé", "Florence", "Alice", "Zoé", "Rosalie", "Juliette", "Charlotte",
    "Béatrice", "Camille", "Maëlle", "Olivia", "Mia", "Clara", "Éloïse", "Noémie", "Laurence",
    "Sarah", "Amélie", "Jade", "Livia", "Adèle", "Gabrielle", "Marguerite", "Élodie",
    "Océane", "Ariane", "Amina", "Yasmine", "Aïcha", "Mariam", "Anaïs", "Victoria", "Maya",
)
MALE_NAMES = (
    "Thomas", "William", "Liam", "Noah", "Léo", "Nathan", "Jacob", "Félix", "Louis",
    "Édouard", "Olivier", "Samuel", "Gabriel", "Émile", "Antoine", "Raphaël", "Xavier",
    "Alexis", "Zachary", "Mathis", "Hugo", "Logan", "Jérémie", "Benjamin", "Charles", "Adam",
    "Mohamed", "Ibrahim", "Youssef", "Ismaël", "Malik", "Elliot", "Arthur", "Henri", "Jules",
)
UNISEX_NAMES = ("Alex", "Sam", "Charlie", "Eden", "Andrea", "Dominique", "Noa", "Robin")
ADULT_FEMALE_NAMES = (
    "Julie", "Isabelle", "Nathalie", "Marie-Ève", "Mélanie", "Geneviève", "Karine",
    "Stéphanie", "Caroline", "Valérie", "Josée", "Annie", "Sophie", "Émilie", "Catherine",
    "Véronique", "Chantal", "Sylvie", "Nadia", "Amira", "Fatou", "Marie-Claude", "Lucie",
)
ADULT_MALE_NAMES = (
    "Marc", "Patrick", "Martin", "Éric", "Stéphane", "Sébastien", "François", "Mathieu",
    "Jean-François", "Alexandre", "Daniel", "Luc", "Pierre", "Simon", "Nicolas", "Karim",
    "Dominic", "Jonathan", "Michel", "Moussa", "Hugo", "Yves", "Benoît",
)
GRANDPARENT_NAMES = (
    "Jeannine", "Gisèle", "Monique", "Lise", "Huguette", "Gilles", "Réjean", "Normand",
    "Gaston", "Rolland",
)
LAST_NAMES = (
    "Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie", "Fortin",
    "Gagné", "Ouellet", "Pelletier", "Bélanger", "Lévesque", "Bergeron", "Leblanc",
    "Paquette", "Girard", "Simard", "Boucher", "Caron", "Beaulieu", "Cloutier", "Dubé",
    "Poirier", "Fournier", "Lapointe", "Leclerc", "Lefebvre", "Poulin", "Thibault",
    "St-Pierre", "Nadeau", "Martin", "Landry", "Martel", "Bédard", "Grenier", "Lessard",
    "Bernier", "Richard", "Michaud", "Hébert", "Desjardins", "Couture", "Turcotte",
    "Lachance", "Parent", "Blais", "Gosselin", "Savard", "Proulx", "Beaudoin", "Demers",
    "Perreault", "Lalonde", "Charbonneau", "Séguin", "Brisebois", "Lacroix", "Giroux",
    "Villeneuve", "Chartrand", "Lafleur", "Sabourin", "Quesnel", "Laflamme", "Ndiaye",
    "Diallo", "Traoré", "Haddad", "Khalil", "Joseph", "Jean-Baptiste", "Nguyen", "Mukendi",
)

# Enrolment history (Adhésion): entry and withdrawal reasons, as the schools record them.
FIRST_ENTRY = "Première inscription"
ARRIVAL_REASONS = (
    "Arrivée d'un autre conseil scolaire", "Arrivée d'une autre province",
    "Arrivée d'un autre pays",
)
TRANSFER_IN = "Transfert d'une école du Conseil"
MOVED_OUT = "Déménagement"
END_OF_ELEMENTARY = "Fin des études élémentaires"
TO_SECONDARY = "Passage de l'élémentaire au secondaire"
COURT_ORDER = "Ordonnance du tribunal"

# The schools show this year's timetables to parents a couple of weeks before the start.
TIMETABLES_SHOWN_FROM = date(CURRENT_YEAR, 8, 24)

# Formulaires parents: (school code, grade or None for all, kind, French title, English title,
# French text, English text).
PARENT_FORMS = (
    ("EEPER", None, ParentForm.Kind.CONSENT,
     "Autorisation de photographier et de filmer", "Permission to take photos and videos",
     "J'autorise l'école à photographier ou à filmer mon enfant pendant les activités "
     "scolaires et à publier ces images dans ses communications (bulletin, site Web, "
     "réseaux sociaux de l'école).",
     "I allow the school to photograph or film my child during school activities and to "
     "publish these pictures in its communications (newsletter, website, the school's "
     "social media)."),
    ("EEPER", 5, ParentForm.Kind.CONSENT,
     "Sortie au Musée canadien de la nature (5e année)",
     "Field trip to the Canadian Museum of Nature (Grade 5)",
     "Les élèves de 5e année visiteront le Musée canadien de la nature le jeudi "
     "10 décembre 2026, de 9 h à 14 h 30, en autobus scolaire. J'autorise mon enfant à "
     "participer à cette sortie.",
     "Grade 5 students will visit the Canadian Museum of Nature on Thursday "
     "10 December 2026, from 9 a.m. to 2:30 p.m., by school bus. I allow my child to take "
     "part in this trip."),
    ("ESPGP", None, ParentForm.Kind.ACKNOWLEDGEMENT,
     "Code de vie de l'école", "School code of conduct",
     "J'ai lu le code de vie de l'École secondaire publique Des Grands-Pins avec mon enfant "
     "et j'en comprends les attentes.",
     "I have read the code of conduct of École secondaire publique Des Grands-Pins with my "
     "child and understand what it expects."),
)

# Days without school in 2026-2027 (absences.DayOff): reports are refused on them.
# (kind, first day, last day, name); weekends inside a range are skipped.
DAYS_OFF = (
    ("holiday", date(2026, 10, 12), date(2026, 10, 12), "Action de grâce"),
    ("pa_day", date(2026, 12, 4), date(2026, 12, 4), "Journée pédagogique"),
    ("holiday", date(2026, 12, 21), date(2027, 1, 1), "Congé des Fêtes"),
    ("pa_day", date(2027, 1, 29), date(2027, 1, 29), "Journée pédagogique"),
    ("holiday", date(2027, 2, 15), date(2027, 2, 15), "Jour de la Famille"),
    ("holiday", date(2027, 3, 15), date(2027, 3, 19), "Congé de mars"),
    ("holiday", date(2027, 3, 26), date(2027, 3, 29), "Vendredi saint et lundi de Pâques"),
    ("holiday", date(2027, 5, 24), date(2027, 5, 24), "Fête de Victoria"),
)
# The demo's absence reports: a past one of the demo family (recorded by the school), and
# at one elementary school, the reports of the day (kind, reason, time, note, made at: the
# last after the 8:00 cut-off, so reported late), then one absence the teacher took that
# nobody explained (safe arrival).
PAST_REPORT_DAY = date(2026, 11, 20)
# A past late arrival of the demo family: expected at 9:00, arrived at 9:20 (the school's).
PAST_LATE = (date(2026, 11, 24), time(9, 0), time(9, 20))
TODAYS_REPORTS = (
    ("days", "illness", None, "Fièvre et mal de gorge.", time(7, 5)),
    ("late", "medical", time(9, 45), "Rendez-vous chez le dentiste.", time(7, 40)),
    ("early", "family", time(13, 30), "Sa grand-mère viendra le chercher.", time(7, 55)),
    ("days", "illness", None, "Gastro depuis cette nuit.", time(9, 50)),
)
