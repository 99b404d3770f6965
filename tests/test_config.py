"""Hall configuration: the demo hall, loading files, and refusing bad ones."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from queue_server.config import (
    DEFAULT_PRIORITY_CLASSES,
    ConfigError,
    load_config,
    parse_config,
)
from queue_server.config import demo_config as load_demo
from queue_server.domain import Tier, WindowKind

SOURCE = "hall.toml"

HEAD = """\
slug = "test"
name_zh = "测试政务服务中心"
"""

ZONES = """\
[[hall.zones]]
code = "business"
name_zh = "商事登记"
"""

SERVICE_A = """\
[[hall.services]]
code = "A"
name_zh = "企业开办"
zone = "business"
expected_minutes = 20
"""

SERVICE_B = """\
[[hall.services]]
code = "B"
name_zh = "税务登记"
"""

WINDOW_1 = """\
[[hall.windows]]
number = 1
services = { A = 1.0, B = 0.5 }
"""

WINDOW_2 = """\
[[hall.windows]]
number = 2
kind = "dedicated"
services = ["B"]
"""


def hall_toml(
    *,
    head: str = HEAD,
    zones: str = ZONES,
    services: str = SERVICE_A + SERVICE_B,
    windows: str = WINDOW_1 + WINDOW_2,
    tail: str = "",
) -> str:
    """A small valid hall; each part can be replaced to break one thing."""
    return f"[[hall]]\n{head}\n{zones}\n{services}\n{windows}\n{tail}"


def refused(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse_config(text, SOURCE)
    assert info.value.source == SOURCE
    return info.value


# --- the demo hall ----------------------------------------------------------


@pytest.fixture(scope="module")
def demo():
    config = load_demo()
    assert len(config.halls) == 1
    return config.halls[0]


def test_demo_hall_basics(demo) -> None:
    assert demo.slug == "demo"
    assert demo.name_zh == "示范区政务服务中心"
    assert demo.name_en == "Demo District Government Service Centre"
    assert demo.timezone == "Asia/Shanghai"
    assert demo.tz.key == "Asia/Shanghai"
    assert demo.recall_limit == 3
    assert demo.aging_minutes == 45
    assert (demo.no_show.requeue_after, demo.no_show.max_reactivations) == (3, 1)
    assert (demo.thresholds.yellow_minutes, demo.thresholds.red_minutes) == (15, 30)


def test_demo_hall_has_twenty_windows(demo) -> None:
    assert [w.number for w in demo.windows] == list(range(1, 21))
    kinds = Counter(w.kind for w in demo.windows)
    assert kinds[WindowKind.DEDICATED] >= 2
    assert kinds[WindowKind.COMPREHENSIVE] > kinds[WindowKind.DEDICATED]
    assert "G" in demo.windows[-1].services


def test_demo_every_service_served_by_two_windows(demo) -> None:
    served = Counter(code for w in demo.windows for code in w.services)
    for service in demo.services:
        assert served[service.code] >= 2, f"{service.code} {service.name_zh}"
    codes = {s.code for s in demo.services}
    assert set(served) <= codes
    for window in demo.windows:
        assert all(weight > 0 for weight in window.services.values())


def test_demo_zones_and_services(demo) -> None:
    zone_codes = {z.code for z in demo.zones}
    assert zone_codes == {
        "business",
        "construction",
        "social",
        "property",
        "insurance",
        "police",
        "tax",
        "green",
    }
    assert len(demo.services) >= 12
    for service in demo.services:
        assert service.zone in zone_codes
        assert len(service.code) == 1 and service.code.isupper()
        assert 5 <= service.expected_minutes <= 30
        assert service.name_zh and service.name_en
    used_zones = {s.zone for s in demo.services}
    assert used_zones == zone_codes
    green = demo.service("G")
    assert green is not None and green.zone == "green"
    assert demo.service("A") is not None and demo.service("A").name_zh == "企业开办"


def test_demo_staff_and_priority_classes(demo) -> None:
    codes = {s.code for s in demo.services}
    assert len(demo.staff) >= 10
    assert len({s.login for s in demo.staff}) == len(demo.staff)
    for person in demo.staff:
        assert person.skills and set(person.skills) <= codes
    # Every service has at least one clerk who can handle it.
    assert {c for p in demo.staff for c in p.skills} == codes
    tiers = {p.code: p.tier for p in demo.priority_classes}
    assert tiers == {
        "normal": Tier.NORMAL,
        "green": Tier.GREEN,
        "elderly": Tier.PRIORITY,
        "disabled": Tier.PRIORITY,
        "military": Tier.PRIORITY,
    }
    military = demo.priority_class("military")
    assert military is not None and military.name_zh == "军人优先"


def test_demo_file_loads_the_same_from_disk(tmp_path: Path) -> None:
    demo_file = Path(__file__).parents[1] / "queue_server" / "demo_hall.toml"
    copy = tmp_path / "demo_hall.toml"
    copy.write_bytes(demo_file.read_bytes())
    assert load_config(copy).halls == load_demo().halls


# --- loading a file ---------------------------------------------------------


def test_load_config_from_file(tmp_path: Path) -> None:
    path = tmp_path / "my_hall.toml"
    path.write_text(hall_toml(), encoding="utf-8")
    config = load_config(path)
    assert config.source == str(path)
    hall = config.hall("test")
    assert hall is not None and config.hall("demo") is None
    assert hall.name_zh == "测试政务服务中心"
    assert hall.name_en == "test"  # defaults to the slug
    assert hall.timezone == "Asia/Shanghai"
    assert (hall.recall_limit, hall.aging_minutes) == (3, 60)
    assert (hall.thresholds.yellow_minutes, hall.thresholds.red_minutes) == (20, 40)
    assert hall.priority_classes == DEFAULT_PRIORITY_CLASSES
    a, b = hall.services
    assert (a.code, a.zone, a.expected_minutes) == ("A", "business", 20.0)
    assert (b.code, b.zone, b.expected_minutes, b.name_en) == ("B", "", 10.0, "B")
    w1, w2 = hall.windows
    assert w1.kind is WindowKind.COMPREHENSIVE and dict(w1.services) == {"A": 1.0, "B": 0.5}
    assert w2.kind is WindowKind.DEDICATED and dict(w2.services) == {"B": 1.0}


def test_load_config_with_two_halls(tmp_path: Path) -> None:
    second = hall_toml().replace('slug = "test"', 'slug = "county-2"')
    path = tmp_path / "city.toml"
    path.write_text(hall_toml() + "\n" + second, encoding="utf-8")
    assert [h.slug for h in load_config(path).halls] == ["test", "county-2"]


def test_normal_class_is_added_when_missing() -> None:
    tail = """\
[[hall.priority_classes]]
code = "military"
name_zh = "军人优先"
tier = "priority"
"""
    hall = parse_config(hall_toml(tail=tail)).halls[0]
    assert [p.code for p in hall.priority_classes] == ["normal", "military"]
    assert hall.priority_class("military").name_en == "military"


# --- refusing bad files -----------------------------------------------------


@pytest.mark.parametrize("text", ["", "# nothing here\n", '[hall]\nslug = "x"\n', "hall = []\n"])
def test_missing_hall(text: str) -> None:
    err = refused(text)
    assert err.key == "hall"
    assert "at least one [[hall]]" in err.reason


def test_bad_toml_syntax() -> None:
    err = refused('[[hall]]\nslug = "demo\n')
    assert err.key == "-"
    assert "not valid TOML" in err.reason
    assert "line 2" in err.reason


def test_unknown_top_level_key() -> None:
    err = refused('title = "示范"\n' + hall_toml())
    assert err.key == "title"
    assert "unknown key" in err.reason


def test_unknown_key_in_hall() -> None:
    err = refused(hall_toml(head=HEAD + 'colour = "red"\n'))
    assert err.key == "hall[0].colour"
    assert "unknown key" in err.reason
    assert "recall_limit" in err.reason  # the allowed keys are listed


def test_unknown_key_in_service() -> None:
    err = refused(hall_toml(services=SERVICE_A + SERVICE_B + 'prefix = "B"\n'))
    assert err.key == "hall[0].services[1].prefix"
    assert "unknown key" in err.reason
    assert "expected_minutes" in err.reason


def test_unknown_key_in_window() -> None:
    err = refused(hall_toml(windows=WINDOW_1 + "floor = 2\n" + WINDOW_2))
    assert err.key == "hall[0].windows[0].floor"
    assert "unknown key" in err.reason


def test_unknown_key_in_thresholds() -> None:
    err = refused(hall_toml(tail="[hall.thresholds]\ngreen_minutes = 5\n"))
    assert err.key == "hall[0].thresholds.green_minutes"
    assert "unknown key" in err.reason


@pytest.mark.parametrize("slug", ["Demo", "demo hall", "-demo", "示范", "a" * 64])
def test_bad_slug(slug: str) -> None:
    err = refused(hall_toml(head=HEAD.replace('"test"', f'"{slug}"')))
    assert err.key == "hall[0].slug"
    assert "lower-case" in err.reason


def test_missing_slug() -> None:
    err = refused(hall_toml(head='name_zh = "测试"\n'))
    assert err.key == "hall[0].slug"
    assert err.reason == "is required"


# "Asia" names a directory inside the tz database, not a zone.
@pytest.mark.parametrize("tz", ["Mars/Olympus", "Beijing", "Asia", "../etc/passwd"])
def test_unknown_timezone(tz: str) -> None:
    err = refused(hall_toml(head=HEAD + f'timezone = "{tz}"\n'))
    assert err.key == "hall[0].timezone"
    assert "unknown time zone" in err.reason and tz in err.reason


def test_duplicate_service_code() -> None:
    err = refused(hall_toml(services=SERVICE_A + SERVICE_B + SERVICE_A))
    assert err.key == "hall[0].services[2].code"
    assert "duplicate value 'A'" in err.reason


@pytest.mark.parametrize("code", ["a", "AB", "7", "Ä", "A1"])
def test_service_code_must_be_one_capital_letter(code: str) -> None:
    err = refused(hall_toml(services=SERVICE_A + SERVICE_B.replace('"B"', f'"{code}"')))
    assert err.key == "hall[0].services[1].code"
    assert "one capital letter" in err.reason


def test_service_unknown_zone() -> None:
    err = refused(hall_toml(services=SERVICE_A.replace('"business"', '"tax"') + SERVICE_B))
    assert err.key == "hall[0].services[0].zone"
    assert "unknown zone 'tax'" in err.reason


def test_hall_without_services() -> None:
    err = refused(hall_toml(services="", windows=""))
    assert err.key == "hall[0].services"
    assert "at least one service" in err.reason


@pytest.mark.parametrize(
    ("services", "key"),
    [
        ("{ A = 1.0, X = 1.0 }", "hall[0].windows[1].services.X"),
        ('["B", "X"]', "hall[0].windows[1].services.X"),
    ],
)
def test_window_unknown_service(services: str, key: str) -> None:
    err = refused(hall_toml(windows=WINDOW_1 + WINDOW_2.replace('["B"]', services)))
    assert err.key == key
    assert "unknown service 'X'" in err.reason


@pytest.mark.parametrize("services", ["[]", "{}"])
def test_window_with_no_services(services: str) -> None:
    err = refused(hall_toml(windows=WINDOW_1 + WINDOW_2.replace('["B"]', services)))
    assert err.key == "hall[0].windows[1].services"
    assert "at least one service" in err.reason


def test_window_without_services_key() -> None:
    err = refused(hall_toml(windows=WINDOW_1 + "[[hall.windows]]\nnumber = 2\n"))
    assert err.key == "hall[0].windows[1].services"
    assert "is required" in err.reason


@pytest.mark.parametrize("weight", ["0", "0.0", "-1", "-0.5"])
def test_window_weight_must_be_positive(weight: str) -> None:
    err = refused(hall_toml(windows=WINDOW_1.replace("B = 0.5", f"B = {weight}")))
    assert err.key == "hall[0].windows[0].services.B"
    assert "between 0.1 and 100" in err.reason


def test_window_weight_must_be_a_number() -> None:
    err = refused(hall_toml(windows=WINDOW_1.replace("B = 0.5", 'B = "high"')))
    assert err.key == "hall[0].windows[0].services.B"
    assert err.reason == "must be a number"


def test_window_bad_kind() -> None:
    err = refused(hall_toml(windows=WINDOW_2.replace('"dedicated"', '"express"')))
    assert err.key == "hall[0].windows[0].kind"
    assert "'comprehensive' or 'dedicated'" in err.reason


def test_duplicate_window_number() -> None:
    err = refused(hall_toml(windows=WINDOW_1 + WINDOW_2.replace("number = 2", "number = 1")))
    assert err.key == "hall[0].windows[1].number"
    assert "duplicate value 1" in err.reason


def test_staff_skill_unknown() -> None:
    tail = '[[hall.staff]]\nlogin = "zhangwei"\nname = "张伟"\nskills = ["A", "Z"]\n'
    err = refused(hall_toml(tail=tail))
    assert err.key == "hall[0].staff[0].skills[1]"
    assert "unknown service 'Z'" in err.reason


def test_duplicate_staff_login() -> None:
    person = '[[hall.staff]]\nlogin = "lina"\nname = "李娜"\nskills = ["A"]\n'
    err = refused(hall_toml(tail=person + person))
    assert err.key == "hall[0].staff[1].login"
    assert "duplicate value 'lina'" in err.reason


@pytest.mark.parametrize("tier", ["vip", "appointment", "callback", "GREEN"])
def test_priority_class_bad_tier(tier: str) -> None:
    tail = f'[[hall.priority_classes]]\ncode = "vip"\nname_zh = "贵宾"\ntier = "{tier}"\n'
    err = refused(hall_toml(tail=tail))
    assert err.key == "hall[0].priority_classes[0].tier"
    assert "must be one of" in err.reason and "priority" in err.reason


def test_appointment_class_code_is_reserved() -> None:
    tail = '[[hall.priority_classes]]\ncode = "appointment"\nname_zh = "预约"\ntier = "priority"\n'
    err = refused(hall_toml(tail=tail))
    assert err.key == "hall[0].priority_classes[0].code"
    assert "reserved" in err.reason


@pytest.mark.parametrize(("yellow", "red"), [(30, 30), (30, 20)])
def test_thresholds_red_must_exceed_yellow(yellow: int, red: int) -> None:
    tail = f"[hall.thresholds]\nyellow_minutes = {yellow}\nred_minutes = {red}\n"
    err = refused(hall_toml(tail=tail))
    assert err.key == "hall[0].thresholds.red_minutes"
    assert "greater than yellow_minutes" in err.reason


def test_thresholds_red_below_default_yellow() -> None:
    err = refused(hall_toml(tail="[hall.thresholds]\nred_minutes = 10\n"))
    assert err.key == "hall[0].thresholds.red_minutes"
    assert "greater than yellow_minutes" in err.reason


@pytest.mark.parametrize("value", [-1, 21, 1000])
def test_recall_limit_out_of_range(value: int) -> None:
    err = refused(hall_toml(head=HEAD + f"recall_limit = {value}\n"))
    assert err.key == "hall[0].recall_limit"
    assert f"between 0 and 20, got {value}" in err.reason


def test_recall_limit_bounds_are_accepted() -> None:
    for value in (0, 20):
        hall = parse_config(hall_toml(head=HEAD + f"recall_limit = {value}\n")).halls[0]
        assert hall.recall_limit == value


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (hall_toml(head=HEAD + "recall_limit = true\n"), "hall[0].recall_limit"),
        (hall_toml(head=HEAD + "aging_minutes = false\n"), "hall[0].aging_minutes"),
        (hall_toml(windows=WINDOW_1.replace("number = 1", "number = true")), "hall[0].windows[0].number"),
        (hall_toml(tail="[hall.no_show]\nrequeue_after = true\n"), "hall[0].no_show.requeue_after"),
        (hall_toml(tail="[hall.thresholds]\nyellow_minutes = true\n"), "hall[0].thresholds.yellow_minutes"),
    ],
)
def test_boolean_where_int_expected(text: str, key: str) -> None:
    err = refused(text)
    assert err.key == key
    assert err.reason == "must be a whole number"


def test_float_where_int_expected() -> None:
    err = refused(hall_toml(head=HEAD + "aging_minutes = 30.5\n"))
    assert err.key == "hall[0].aging_minutes"
    assert err.reason == "must be a whole number"


def test_boolean_weight_is_not_a_number() -> None:
    err = refused(hall_toml(windows=WINDOW_1.replace("B = 0.5", "B = true")))
    assert err.key == "hall[0].windows[0].services.B"
    assert err.reason == "must be a number"


def test_duplicate_hall_slug() -> None:
    err = refused(hall_toml() + "\n" + hall_toml())
    assert err.key == "hall[1].slug"
    assert "duplicate value 'test'" in err.reason


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "no_such_hall.toml"
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.key == "-"
    assert info.value.source == str(path)
    assert "cannot read the file" in info.value.reason
    assert "No such file" in info.value.reason


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert info.value.key == "-"
    assert "cannot read the file" in info.value.reason


def test_file_not_in_utf8(tmp_path: Path) -> None:
    # Saved as GBK by a Windows editor: refused cleanly, not with a traceback.
    path = tmp_path / "gbk_hall.toml"
    path.write_bytes(hall_toml().encode("gbk"))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.key == "-"
    assert "UTF-8" in info.value.reason


def test_error_message_names_file_key_and_reason(tmp_path: Path) -> None:
    path = tmp_path / "bad_hall.toml"
    path.write_text(hall_toml(head=HEAD + "recall_limit = 99\n"), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "bad_hall.toml" in message
    assert message == f"{path}: hall[0].recall_limit: must be between 0 and 20, got 99"
    assert isinstance(info.value, ValueError)


# --- evaluations and appointments --------------------------------------------


def test_evaluation_and_appointment_defaults() -> None:
    hall = parse_config(hall_toml()).halls[0]
    assert hall.evaluation.rating_window_minutes == 30
    assert (hall.appointments.early_minutes, hall.appointments.late_minutes) == (30, 15)
    assert hall.appointments.late_policy == "walk_in"


def test_demo_hall_documents_evaluation_and_appointments(demo) -> None:
    assert demo.evaluation.rating_window_minutes == 30
    assert (demo.appointments.early_minutes, demo.appointments.late_minutes) == (30, 15)
    assert demo.appointments.late_policy == "walk_in"
    text = (Path(__file__).parents[1] / "queue_server" / "demo_hall.toml").read_text("utf-8")
    assert "[hall.evaluation]" in text and "[hall.appointments]" in text


def test_evaluation_and_appointments_are_read() -> None:
    tail = (
        "[hall.evaluation]\nrating_window_minutes = 10\n"
        '[hall.appointments]\nearly_minutes = 0\nlate_minutes = 60\nlate_policy = "refuse"\n'
    )
    hall = parse_config(hall_toml(tail=tail)).halls[0]
    assert hall.evaluation.rating_window_minutes == 10
    assert (hall.appointments.early_minutes, hall.appointments.late_minutes) == (0, 60)
    assert hall.appointments.late_policy == "refuse"


@pytest.mark.parametrize(
    ("tail", "key", "reason"),
    [
        ("[hall.evaluation]\nwindow = 5\n", "hall[0].evaluation.window", "unknown key"),
        ("[hall.evaluation]\nrating_window_minutes = 0\n", "hall[0].evaluation.rating_window_minutes", "between 1"),
        (
            "[hall.evaluation]\nrating_window_minutes = true\n",
            "hall[0].evaluation.rating_window_minutes",
            "must be a whole number",
        ),
        ("[hall.appointments]\nearly = 5\n", "hall[0].appointments.early", "unknown key"),
        ("[hall.appointments]\nearly_minutes = -1\n", "hall[0].appointments.early_minutes", "between 0"),
        ("[hall.appointments]\nlate_minutes = 1441\n", "hall[0].appointments.late_minutes", "between 0 and 1440"),
        ("[hall.appointments]\nlate_minutes = 2.5\n", "hall[0].appointments.late_minutes", "must be a whole number"),
        (
            '[hall.appointments]\nlate_policy = "ignore"\n',
            "hall[0].appointments.late_policy",
            "must be 'walk_in' or 'refuse', got 'ignore'",
        ),
        ("[hall.appointments]\nlate_policy = 1\n", "hall[0].appointments.late_policy", "non-empty string"),
        ("evaluation = 30\n", "hall[0].evaluation", "must be a table"),
    ],
)
def test_bad_evaluation_and_appointment_keys(tail: str, key: str, reason: str) -> None:
    text = hall_toml(head=HEAD + tail) if not tail.startswith("[") else hall_toml(tail=tail)
    err = refused(text)
    assert err.key == key
    assert reason in err.reason


def test_display_announce_repeat_is_read_and_checked() -> None:
    from queue_server.config import ConfigError, demo_config, parse_config

    assert demo_config().halls[0].display.announce_repeat == 2
    text = (
        '[[hall]]\nslug = "x"\nname_zh = "大厅"\n[hall.display]\nannounce_repeat = 9\n'
        '[[hall.services]]\ncode = "A"\nname_zh = "甲"\n'
    )
    try:
        parse_config(text, "x.toml")
    except ConfigError as exc:
        assert exc.key == "hall[0].display.announce_repeat" and "between 1 and 5" in exc.reason
    else:
        raise AssertionError("announce_repeat = 9 was accepted")


# --- hostile files: refused with the file and key, never a crash --------------


def test_a_deeply_nested_file_is_a_configuration_error() -> None:
    err = refused(hall_toml(tail="x = " + "[" * 2000 + "]" * 2000))
    assert err.key == "-" and "nested too deeply" in str(err)


def test_a_deeply_nested_file_exits_2_at_start(tmp_path: Path) -> None:
    import subprocess
    import sys

    bad = tmp_path / "hall.toml"
    bad.write_text(hall_toml(tail="x = " + "[" * 5000 + "]" * 5000), "utf-8")
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, str(root / "run.py"), "--config", str(bad), "--db", f"sqlite:///{tmp_path}/x.db"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 2 and "nested too deeply" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("head", "key", "why"),
    [
        ('slug = "test"\nname_zh = "' + "大" * 1_000_000 + '"', "hall[0].name_zh", "at most 100 characters"),
        ('slug = "test"\nname_zh = "大厅\\u0000"', "hall[0].name_zh", "control character U+0000"),
        ('slug = "test"\nname_zh = "大厅\\n二楼"', "hall[0].name_zh", "control character U+000A"),
        ('slug = "test"\nname_zh = "\\u202e厅大"', "hall[0].name_zh", "text-direction mark U+202E"),
        ('slug = "te st"\nname_zh = "大厅"', "hall[0].slug", "lower-case"),
    ],
)
def test_names_a_screen_cannot_show_are_refused(head: str, key: str, why: str) -> None:
    err = refused(hall_toml(head=head))
    assert err.key == key and why in str(err)


@pytest.mark.parametrize(
    "login", ["", " li", "li ", "../../etc/passwd", "li\n", "l\u200bi", "l\u202ei", "x" * 65, "..", "张伟"]
)
def test_staff_logins_follow_the_login_rule(login: str) -> None:
    tail = f'[[hall.staff]]\nlogin = "{login.encode("unicode_escape").decode()}"\nname = "某"\nskills = ["A"]\n'
    err = refused(hall_toml(tail=tail))
    assert err.key == "hall[0].staff[0].login" and "1 to 64 letters" in str(err)


# --- opening hours, noon service, the hall's calendar, shift templates --------

SHIFT = """\
[[hall.shifts]]
code = "full"
name_zh = "全天"
start = "09:00"
end = "17:00"
lunch_minutes = 60
lunch_between = "11:30-13:30"
"""


def shift_toml(**changes: str) -> str:
    """One [[hall.shifts]] table with some lines replaced (a value of "" drops the key)."""
    lines = dict(line.split(" = ", 1) for line in SHIFT.splitlines()[1:])
    lines.update(changes)
    return "[[hall.shifts]]\n" + "".join(f"{k} = {v}\n" for k, v in lines.items() if v)


def test_staffing_defaults_when_the_file_is_silent() -> None:
    from datetime import time

    from queue_server.config import DEFAULT_HOURS, default_shifts

    hall = parse_config(hall_toml()).halls[0]
    nine_to_five = (time(9), time(17))
    assert hall.hours == DEFAULT_HOURS
    assert [hall.hours.on(d) for d in range(7)] == [nine_to_five] * 5 + [None, None]
    assert (hall.noon.start, hall.noon.end, hall.noon.min_windows) == (time(12), time(14), 1)
    assert hall.calendar == ()
    assert hall.shifts == default_shifts("test") and {s.hall for s in hall.shifts} == {"test"}
    full = hall.shift("full")
    assert full is not None and (full.start, full.end, full.lunch_minutes) == (time(9), time(17), 60)
    assert (full.lunch_earliest, full.lunch_latest) == (time(11, 30), time(13, 30))
    early = hall.shift("early")
    assert early is not None and (early.start, early.end, early.lunch_minutes) == (time(8, 30), time(12, 30), 0)
    duty = [s for s in hall.shifts if s.noon_duty]
    assert [s.name_zh for s in duty] == ["午间值班"]
    assert duty[0].start <= hall.noon.start and hall.noon.end <= duty[0].end
    assert duty[0].lunch_earliest is not None and duty[0].lunch_earliest >= hall.noon.end
    assert all(s.name_zh and s.name_en for s in hall.shifts)


def test_a_hall_without_windows_needs_none_open_at_noon() -> None:
    assert parse_config(hall_toml(windows="")).halls[0].noon.min_windows == 0
    err = refused(hall_toml(windows="", tail="[hall.noon]\nmin_windows = 1\n"))
    assert err.key == "hall[0].noon.min_windows" and "more than the hall's 0 windows" in err.reason


def test_demo_hall_opens_saturday_mornings_and_keeps_two_windows_at_noon(demo) -> None:
    from datetime import time

    assert demo.hours.on(0) == (time(9), time(17))
    assert demo.hours.on(5) == (time(9), time(12)) and demo.hours.on(6) is None
    assert (demo.noon.start, demo.noon.end, demo.noon.min_windows) == (time(12), time(14), 2)
    assert any(s.noon_duty for s in demo.shifts) and len(demo.shifts) >= 3
    text = (Path(__file__).parents[1] / "queue_server" / "demo_hall.toml").read_text("utf-8")
    assert all(t in text for t in ("[hall.hours]", "[hall.noon]", "[[hall.calendar]]", "[[hall.shifts]]"))


def test_hours_calendar_and_shifts_are_read() -> None:
    from datetime import date, time

    from queue_server.staffing import DayKind

    tail = (
        '[hall.hours]\nweekdays = "08:30-17:30"\nfriday = "08:30-16:00"\nwednesday = "closed"\n'
        'saturday = "09:00-12:00"\n'
        '[hall.noon]\nstart = "12:00"\nend = "13:30"\nmin_windows = 2\n'
        '[[hall.calendar]]\ndate = 2026-10-05\nkind = "workday"\n'
        '[[hall.calendar]]\ndate = "2026-12-31"\nkind = "closed"\n'
        '[[hall.calendar]]\ndate = 2027-01-01\nkind = "holiday"\nname = "元旦"\n'
        + shift_toml(start="08:30:00", end="17:30:00", name_en='"Full day"')
        + shift_toml(
            code='"noon"', name_zh='"午间值班"', lunch_minutes="30", lunch_between='"13:30-15:00"', noon_duty="true"
        )
    )
    hall = parse_config(hall_toml(tail=tail)).halls[0]
    long_day = (time(8, 30), time(17, 30))
    assert [hall.hours.on(d) for d in range(7)] == [
        long_day,
        long_day,
        None,
        long_day,
        (time(8, 30), time(16)),
        (time(9), time(12)),
        None,
    ]
    assert (hall.noon.end, hall.noon.min_windows) == (time(13, 30), 2)
    assert [(d.day, d.kind, d.name, d.source) for d in hall.calendar] == [
        (date(2026, 10, 5), DayKind.WORKDAY, "", "hall"),
        (date(2026, 12, 31), DayKind.HOLIDAY, "闭厅", "hall"),
        (date(2027, 1, 1), DayKind.HOLIDAY, "元旦", "hall"),
    ]
    full, noon = hall.shifts
    assert (full.start, full.end, full.name_en, full.minutes) == (time(8, 30), time(17, 30), "Full day", 480)
    assert (noon.code, noon.name_en, noon.noon_duty, noon.lunch_minutes) == ("noon", "noon", True, 30)
    assert (noon.lunch_earliest, noon.lunch_latest) == (time(13, 30), time(15))
    # A lunch without a window may fall anywhere in the shift.
    anywhere = parse_config(hall_toml(tail=shift_toml(lunch_between=""))).halls[0].shifts[0]
    assert (anywhere.lunch_earliest, anywhere.lunch_latest) == (time(9), time(17))


@pytest.mark.parametrize(
    ("tail", "key", "reason"),
    [
        # [hall.hours]
        ('[hall.hours]\nweekdays = "17:00-09:00"\n', "hall[0].hours.weekdays", "not after it starts"),
        ('[hall.hours]\nmonday = "09:00-09:00"\n', "hall[0].hours.monday", "not after it starts"),
        ('[hall.hours]\nweekdays = "9-17"\n', "hall[0].hours.weekdays", "must be a time 'HH:MM'"),
        ('[hall.hours]\nsaturday = "09:00-24:00"\n', "hall[0].hours.saturday", "must be a time 'HH:MM'"),
        ('[hall.hours]\nsaturday = "09:00"\n', "hall[0].hours.saturday", "must be a span 'HH:MM-HH:MM'"),
        ('[hall.hours]\nsunday = "open"\n', "hall[0].hours.sunday", "must be a span"),
        ("[hall.hours]\nweekdays = 9\n", "hall[0].hours.weekdays", "must be a span"),
        ('[hall.hours]\nweekend = "closed"\n', "hall[0].hours.weekend", "unknown key"),
        (
            '[hall.noon]\nstart = "11:00"\nend = "14:00"\n[hall.hours]\nweekdays = "11:30-17:00"\n',
            "hall[0].noon",
            "must lie within the weekday hours 11:30-17:00",
        ),
        ('[hall.noon]\nend = "18:00"\n', "hall[0].noon", "must lie within the weekday hours 09:00-17:00"),
        # [hall.noon]
        ('[hall.noon]\nstart = "14:00"\nend = "12:00"\n', "hall[0].noon.end", "not after the noon period starts"),
        ('[hall.noon]\nstart = "noon"\n', "hall[0].noon.start", "must be a time 'HH:MM'"),
        ("[hall.noon]\nstart = 12:00:30\n", "hall[0].noon.start", "whole minutes"),
        ("[hall.noon]\nmin_windows = 3\n", "hall[0].noon.min_windows", "more than the hall's 2 windows"),
        ("[hall.noon]\nmin_windows = -1\n", "hall[0].noon.min_windows", "between 0"),
        ("[hall.noon]\nwindows = 1\n", "hall[0].noon.windows", "unknown key"),
        # [[hall.calendar]]
        ('[[hall.calendar]]\ndate = 2026-10-08\nkind = "vacation"\n', "hall[0].calendar[0].kind", "unknown kind"),
        ("[[hall.calendar]]\ndate = 2026-10-08\n", "hall[0].calendar[0].kind", "is required"),
        ('[[hall.calendar]]\nkind = "holiday"\n', "hall[0].calendar[0].date", "is required"),
        ('[[hall.calendar]]\ndate = "2026-02-30"\nkind = "holiday"\n', "hall[0].calendar[0].date", "YYYY-MM-DD"),
        ('[[hall.calendar]]\ndate = "8 Oct"\nkind = "holiday"\n', "hall[0].calendar[0].date", "YYYY-MM-DD"),
        ('[[hall.calendar]]\ndate = 2026-10-08T09:00:00\nkind = "holiday"\n', "hall[0].calendar[0].date", "YYYY-MM-DD"),
        (
            '[[hall.calendar]]\ndate = 2026-10-08\nkind = "holiday"\n'
            '[[hall.calendar]]\ndate = "2026-10-08"\nkind = "closed"\n',
            "hall[0].calendar[1].date",
            "duplicate value",
        ),
        # [[hall.shifts]]
        (shift_toml(start='"17:00"', end='"09:00"'), "hall[0].shifts[0].end", "not after the shift starts"),
        (shift_toml(start='"8:30"'), "hall[0].shifts[0].start", "must be a time 'HH:MM'"),
        (shift_toml(end=""), "hall[0].shifts[0].end", "is required"),
        (shift_toml(start='"08:40"'), "hall[0].shifts[0].start", "15-minute grid"),
        (shift_toml(lunch_minutes="150"), "hall[0].shifts[0].lunch_minutes", "does not fit between 11:30-13:30"),
        (shift_toml(lunch_minutes="600"), "hall[0].shifts[0].lunch_minutes", "between 0 and 465"),
        (shift_toml(lunch_minutes="50"), "hall[0].shifts[0].lunch_minutes", "multiple of 15"),
        (shift_toml(lunch_between='"08:00-10:00"'), "hall[0].shifts[0].lunch_between", "outside the shift"),
        (shift_toml(lunch_between='"13:30-11:30"'), "hall[0].shifts[0].lunch_between", "not after it starts"),
        (shift_toml(lunch_minutes=""), "hall[0].shifts[0].lunch_between", "set lunch_minutes too"),
        (shift_toml(code='"早 班"'), "hall[0].shifts[0].code", "letters, digits"),
        (shift_toml(name_zh=""), "hall[0].shifts[0].name_zh", "is required"),
        (shift_toml(noon_duty='"yes"'), "hall[0].shifts[0].noon_duty", "true or false"),
        (shift_toml(noon_duty="true"), "hall[0].shifts[0].lunch_between", "outside the noon period 12:00-14:00"),
        (
            shift_toml(start='"12:30"', lunch_minutes="", lunch_between="", noon_duty="true"),
            "hall[0].shifts[0].noon_duty",
            "must cover the noon period 12:00-14:00",
        ),
        (shift_toml(breaks="1"), "hall[0].shifts[0].breaks", "unknown key"),
        (SHIFT + SHIFT, "hall[0].shifts[1].code", "duplicate value 'full'"),
        ("shifts = 1\n", "hall[0].shifts", "must be an array of tables"),
    ],
)
def test_bad_hours_noon_calendar_and_shifts(tail: str, key: str, reason: str) -> None:
    text = hall_toml(head=HEAD + tail) if not tail.startswith("[") else hall_toml(tail=tail)
    err = refused(text)
    assert err.key == key
    assert reason in err.reason
    assert key in str(err)


# --- what the hall ranks on ([hall.rankings]) ------------------------------------------


def test_rankings_default_to_windows_and_clerks_on_time_and_satisfaction() -> None:
    hall = parse_config(hall_toml(), SOURCE).halls[0]
    assert hall.rankings.of == ("window", "clerk")
    assert hall.rankings.measures == ("within_share", "satisfied_share")


def test_rankings_are_read_in_the_hall_files_order() -> None:
    tail = '[hall.rankings]\nof = ["service"]\nmeasures = ["bad", "wait_p90", "served"]\n'
    hall = parse_config(hall_toml(tail=tail), SOURCE).halls[0]
    assert hall.rankings.of == ("service",)
    assert hall.rankings.measures == ("bad", "wait_p90", "served")


@pytest.mark.parametrize(
    ("body", "key", "reason"),
    [
        ('measures = ["speed"]', "hall[0].rankings.measures[0]", "must be one of within_share"),
        ('of = ["window", "hall"]', "hall[0].rankings.of[1]", "must be one of window, clerk, service, got 'hall'"),
        ('of = ["clerk", "clerk"]', "hall[0].rankings.of[1]", "named twice"),
        ("measures = []", "hall[0].rankings.measures", "at least one"),
        ('measures = "served"', "hall[0].rankings.measures", "must be an array of names"),
        ('rank = ["window"]', "hall[0].rankings.rank", "unknown key"),
    ],
)
def test_bad_rankings_are_refused_naming_the_key(body: str, key: str, reason: str) -> None:
    err = refused(hall_toml(tail=f"[hall.rankings]\n{body}\n"))
    assert err.key == key
    assert reason in err.reason
