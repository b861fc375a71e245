"""The demo centre's data: accounts, venues, instructors, activities and their groups (Leszno's
MOK, invented). `seed_demo` loads it."""

from accounts.models import Role
from billing.models import FeePlanKind
from clubs.models import ActivityKind, Category

DEMO_PASSWORD = "demo-mok-2026"  # noqa: S105 - published in the README, demo only

DEMO_USERS = [
    # email, first name, last name, role
    ("dyrektor@mok.example.pl", "Janina", "Krawczyk", Role.DIRECTOR),
    ("biuro@mok.example.pl", "Beata", "Nowicka", Role.OFFICE),
    ("koordynator@mok.example.pl", "Marek", "Zieliński", Role.COORDINATOR),
    ("instruktor@mok.example.pl", "Katarzyna", "Wiśniewska", Role.INSTRUCTOR),
    ("rodzic@mok.example.pl", "Anna", "Kowalska", Role.GUARDIAN),
]

VENUES = {
    "MOK": (
        "Miejski Ośrodek Kultury",
        "ul. Słowiańska 41, 64-100 Leszno",
        [
            ("Sala taneczna", 30),
            ("Sala baletowa", 20),
            ("Sala muzyczna", 25),
            ("Pracownia plastyczna", 16),
            ("Sala widowiskowa", 200),
            ("Pracownia ceramiki", 12),
        ],
    ),
    "OBOK": (
        "Klub OBOK",
        "ul. Ostroroga 9, 64-100 Leszno",
        [
            ("Sala klubowa", 40),
            ("Pracownia", 15),
        ],
    ),
}

INSTRUCTORS = [
    ("Katarzyna", "Wiśniewska", "Instruktorka tańca współczesnego i jazzowego."),
    ("Tomasz", "Lewandowski", "Choreograf, tancerz zespołów folklorystycznych."),
    ("Magdalena", "Wójcik", "Pedagog baletu."),
    ("Paweł", "Kamiński", "Dyrygent chóru i orkiestry, nauczyciel muzyki."),
    ("Ewa", "Dąbrowska", "Wokalistka, prowadzi studio piosenki."),
    ("Michał", "Szymański", "Gitarzysta sesyjny."),
    ("Agnieszka", "Woźniak", "Artystka plastyczka, ceramiczka."),
    ("Łukasz", "Kozłowski", "Aktor i reżyser teatru młodzieżowego."),
    ("Jerzy", "Mazur", "Fotograf, członek ZPAF."),
    ("Halina", "Jankowska", "Animatorka Klubu Seniora."),
    ("Zbigniew", "Pawlak", "Prezes koła Polskiego Związku Filatelistów."),
]

M, PM, S, P, A, F = (
    FeePlanKind.MONTHLY,
    FeePlanKind.PER_MEETING,
    FeePlanKind.SEMESTER,
    FeePlanKind.PASS,
    FeePlanKind.ANNUAL_DUES,
    FeePlanKind.FREE,
)

# slug, name, kind, category, venue, room, description, instructor surnames, coordinated?, groups
# group: name, capacity, age_min, age_max, [(weekday, "HH:MM", "HH:MM")], fee kind, amount,
#        requires approval, trial allowed
ACTIVITIES = [
    (
        "studio-tanca-impuls",
        "Studio Tańca „Impuls”",
        ActivityKind.SECTION,
        Category.DANCE,
        "MOK",
        "Sala taneczna",
        "Taniec współczesny, jazz i hip-hop dla dzieci i młodzieży.",
        ["Wiśniewska"],
        True,
        [
            ("Maluchy 4–6 lat", 12, 4, 6, [(2, "16:00", "16:45")], M, "90.00", False, True),
            (
                "Dzieci 7–9 lat",
                15,
                7,
                9,
                [(2, "17:00", "18:00"), (4, "17:00", "18:00")],
                M,
                "140.00",
                False,
                True,
            ),
            ("Juniorzy 10–13 lat", 15, 10, 13, [(1, "17:30", "19:00")], M, "120.00", False, False),
        ],
    ),
    (
        "balet-dla-dzieci",
        "Balet dla dzieci",
        ActivityKind.SECTION,
        Category.DANCE,
        "MOK",
        "Sala baletowa",
        "Podstawy tańca klasycznego.",
        ["Wójcik"],
        True,
        [
            ("Grupa 5–8 lat", 12, 5, 8, [(3, "16:30", "17:30")], PM, "30.00", False, True),
        ],
    ),
    (
        "zespol-leszczyniacy",
        "Zespół Pieśni i Tańca „Leszczyniacy”",
        ActivityKind.ENSEMBLE,
        Category.DANCE,
        "MOK",
        "Sala widowiskowa",
        "Amatorski zespół folklorystyczny: tańce narodowe i regionalne, koncerty i festiwale.",
        ["Lewandowski"],
        True,
        [
            ("Grupa dziecięca", 24, 8, 12, [(5, "16:00", "17:30")], M, "60.00", True, False),
            ("Grupa młodzieżowa", 24, 13, 19, [(5, "17:45", "19:45")], M, "60.00", True, False),
        ],
    ),
    (
        "chor-cantilena",
        "Chór „Cantilena”",
        ActivityKind.ENSEMBLE,
        Category.VOCAL,
        "MOK",
        "Sala muzyczna",
        "Chór mieszany dla dorosłych i młodzieży.",
        ["Kamiński"],
        False,
        [
            ("Chór mieszany", 40, 16, 90, [(3, "18:30", "20:30")], A, "120.00", True, False),
        ],
    ),
    (
        "studio-piosenki",
        "Studio Piosenki",
        ActivityKind.SECTION,
        Category.VOCAL,
        "MOK",
        "Sala muzyczna",
        "Emisja głosu i praca z mikrofonem.",
        ["Dąbrowska"],
        False,
        [
            ("Dzieci 7–11 lat", 10, 7, 11, [(1, "15:30", "16:30")], M, "150.00", False, True),
            ("Młodzież 12–15 lat", 10, 12, 15, [(1, "16:45", "17:45")], M, "150.00", False, True),
        ],
    ),
    (
        "gitara",
        "Nauka gry na gitarze",
        ActivityKind.COURSE,
        Category.MUSIC,
        "MOK",
        "Sala muzyczna",
        "Kurs dla początkujących: akordy, akompaniament, pierwsze utwory.",
        ["Szymański"],
        False,
        [
            ("Początkujący", 8, 10, 99, [(4, "18:00", "19:00")], S, "450.00", False, False),
        ],
    ),
    (
        "rytmika",
        "Rytmika dla przedszkolaków",
        ActivityKind.SECTION,
        Category.MUSIC,
        "MOK",
        "Sala baletowa",
        "Zabawy muzyczno-ruchowe.",
        ["Dąbrowska"],
        False,
        [
            ("Przedszkolaki 4–5 lat", 12, 4, 5, [(5, "10:00", "10:45")], P, "200.00", False, True),
        ],
    ),
    (
        "orkiestra-deta",
        "Orkiestra Dęta MOK",
        ActivityKind.ENSEMBLE,
        Category.MUSIC,
        "MOK",
        "Sala widowiskowa",
        "Orkiestra dęta z tradycjami; instrumenty wypożycza ośrodek.",
        ["Kamiński"],
        False,
        [
            ("Orkiestra", 35, 12, 85, [(2, "18:00", "20:00")], F, "0.00", True, False),
        ],
    ),
    (
        "pracownia-kolorowo",
        "Pracownia Plastyczna „Kolorowo”",
        ActivityKind.SECTION,
        Category.VISUAL_ARTS,
        "MOK",
        "Pracownia plastyczna",
        "Rysunek, malarstwo, grafika i formy przestrzenne.",
        ["Woźniak"],
        False,
        [
            ("Dzieci 6–9 lat", 12, 6, 9, [(3, "15:30", "17:00")], M, "110.00", False, True),
            ("Dzieci 10–12 lat", 12, 10, 12, [(4, "15:30", "17:00")], M, "110.00", False, True),
        ],
    ),
    (
        "ceramika",
        "Ceramika dla dorosłych",
        ActivityKind.COURSE,
        Category.VISUAL_ARTS,
        "MOK",
        "Pracownia ceramiki",
        "Toczenie na kole, szkliwienie, wypał.",
        ["Woźniak"],
        False,
        [
            ("Kurs wieczorowy", 10, 18, 99, [(2, "18:00", "20:30")], P, "480.00", False, False),
        ],
    ),
    (
        "teatr-scena",
        "Teatr Młodzieżowy „Scena”",
        ActivityKind.ENSEMBLE,
        Category.THEATRE,
        "MOK",
        "Sala widowiskowa",
        "Warsztaty aktorskie i spektakle.",
        ["Kozłowski"],
        False,
        [
            ("Zespół", 18, 13, 19, [(4, "17:00", "19:00")], M, "80.00", False, True),
        ],
    ),
    (
        "klub-fotograficzny",
        "Klub Fotograficzny „Kadr”",
        ActivityKind.CLUB,
        Category.PHOTOGRAPHY,
        "MOK",
        "Pracownia plastyczna",
        "Spotkania, plenery i wystawy.",
        ["Mazur"],
        False,
        [
            ("Klub", 20, 14, 99, [(3, "18:00", "20:00")], A, "100.00", False, True),
        ],
    ),
    (
        "klub-seniora",
        "Klub Seniora",
        ActivityKind.CLUB,
        Category.SENIORS,
        "OBOK",
        "Sala klubowa",
        "Spotkania, wykłady, wycieczki i potańcówki dla seniorów.",
        ["Jankowska"],
        False,
        [
            (
                "Klub Seniora",
                60,
                60,
                120,
                [(2, "10:00", "12:00"), (4, "10:00", "12:00")],
                A,
                "60.00",
                False,
                True,
            ),
        ],
    ),
    (
        "klub-filatelistow",
        "Klub Filatelistów",
        ActivityKind.CLUB,
        Category.COLLECTING,
        "OBOK",
        "Pracownia",
        "Giełdy, wymiana i wystawy znaczków; koło PZF.",
        ["Pawlak"],
        False,
        [
            ("Koło filatelistów", 30, 10, 120, [(6, "10:00", "12:00")], A, "50.00", False, True),
        ],
    ),
]

# Places in these groups of the dance studio go by lottery (`seed_demo._lottery`):
# name, capacity, weekday, start, end.
LOTTERY_ACTIVITY = "studio-tanca-impuls"
LOTTERY_GROUPS = [
    ("Hip-hop 7–9 lat (losowanie)", 5, 5, "16:00", "17:00"),
    ("Jazz 7–9 lat (losowanie)", 4, 6, "10:00", "11:00"),
]
