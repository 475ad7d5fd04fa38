"""Word lists for ``tessera seed``: people's names in several scripts, token and event words.

Each name is ``(as written, romanised)``: the display name uses the first, the email the
second, so emails stay ASCII (as most mail systems still require) while the window shows
Hangul, kana and kanji, Cyrillic, Arabic, Greek, Devanagari and accented Latin.
"""

from __future__ import annotations

Name = tuple[str, str]


class Script:
    """Given and family names of one writing system, and how a full name is written."""

    def __init__(
        self,
        domain: str,
        given: list[Name],
        family: list[Name],
        *,
        family_first: bool = False,
        separator: str = " ",
    ) -> None:
        self.domain = domain
        self.given = given
        self.family = family
        self.family_first = family_first
        self.separator = separator

    def display(self, given: str, family: str) -> str:
        """The full name as people of this script write it."""
        parts = (family, given) if self.family_first else (given, family)
        return self.separator.join(parts)


def _pairs(native: str, latin: str) -> list[Name]:
    return list(zip(native.split(), latin.split(), strict=True))


SCRIPTS: list[Script] = [
    Script(
        "example.com",
        _pairs(
            "Olivia Liam Amélie Søren José Zoë François Łukasz Björn Chloé Mateo Ana",
            "olivia liam amelie soren jose zoe francois lukasz bjorn chloe mateo ana",
        ),
        _pairs(
            "Smith Müller García Dubois Nowak Ødegaard Fernández Rossi O'Brien Nguyễn Kowalski",
            "smith muller garcia dubois nowak odegaard fernandez rossi obrien nguyen kowalski",
        ),
    ),
    Script(
        "example.kr",
        _pairs(
            "민준 서연 도윤 지우 하준 서윤 예준 하은 지호 수아",
            "minjun seoyeon doyun jiwoo hajun seoyun yejun haeun jiho sua",
        ),
        _pairs("김 이 박 최 정 강 조 윤 장 임", "kim lee park choi jung kang cho yoon jang lim"),
        family_first=True,
        separator="",
    ),
    Script(
        "example.jp",
        _pairs(
            "陽翔 結菜 蓮 陽葵 湊 さくら ひなた ユイ 大翔 美咲",
            "haruto yuna ren himari minato sakura hinata yui hiroto misaki",
        ),
        _pairs(
            "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤",
            "sato suzuki takahashi tanaka ito watanabe yamamoto nakamura kobayashi kato",
        ),
        family_first=True,
    ),
    Script(
        "example.ru",
        _pairs(
            "Александр Мария Дмитрий Анна Иван Екатерина Сергей Ольга Никита Татьяна",
            "aleksandr maria dmitry anna ivan ekaterina sergey olga nikita tatiana",
        ),
        _pairs(
            "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров",
            "ivanov smirnov kuznetsov popov vasiliev petrov sokolov mikhailov novikov fedorov",
        ),
    ),
    Script(
        "example.eg",
        _pairs(
            "محمد فاطمة أحمد مريم علي نور يوسف سارة عمر ليلى",
            "mohamed fatima ahmed maryam ali nour youssef sara omar layla",
        ),
        _pairs(
            "العلي حسن إبراهيم منصور الخطيب حداد سليمان عباس ناصر الشامي",
            "alali hassan ibrahim mansour alkhatib haddad suleiman abbas nasser alshami",
        ),
    ),
    Script(
        "example.gr",
        _pairs(
            "Γιώργος Μαρία Δημήτρης Ελένη Νίκος Κατερίνα Γιάννης Σοφία Κώστας Αθηνά",
            "giorgos maria dimitris eleni nikos katerina giannis sofia kostas athina",
        ),
        _pairs(
            "Παπαδόπουλος Παππάς Οικονόμου Γεωργίου Νικολάου Βλάχος Αντωνίου Μακρής Ζαχαρίου",
            "papadopoulos pappas oikonomou georgiou nikolaou vlachos antoniou makris zachariou",
        ),
    ),
    Script(
        "example.in",
        _pairs(
            "आरव अनन्या विहान दिया अर्जुन सान्वी कबीर ईशा",
            "aarav ananya vihaan diya arjun saanvi kabir isha",
        ),
        _pairs(
            "शर्मा वर्मा गुप्ता सिंह पटेल कुमार जोशी मेहता",
            "sharma verma gupta singh patel kumar joshi mehta",
        ),
    ),
]
# How often each script is drawn: mostly Latin, every other one well represented.
SCRIPT_WEIGHTS = [40, 15, 12, 10, 8, 8, 7]

TOKEN_NAMES = [
    "CI deploy",
    "Calendar sync",
    "Mobile app",
    "Backup job",
    "Reporting",
    "Zapier",
    "Grafana",
    "Laptop",
    "カレンダー連携",
    "동기화",
    "Интеграция",
    "Nightly export",
]
SCOPES = ["events:read", "events:write", "users:read", "users:write", "tokens:read"]
ADMINS = ["admin", "security-bot", "jdoe", "이서연", "m.ivanova"]

EVENT_TITLES = [
    "Stand-up",
    "1:1",
    "Sprint planning",
    "Customer call",
    "Design review",
    "Dentist",
    "Lunch",
    "회의",
    "打ち合わせ",
    "Планёрка",
    "اجتماع الفريق",
    "Συνάντηση",
]
LOCATIONS = ["", "", "Room 4.02", "Zoom", "Café Müller", "東京オフィス", "서울 본사", "Teams"]
HOLIDAYS = ["Vacation", "Conference", "Offsite", "Public holiday", "Sick leave", "출장"]
