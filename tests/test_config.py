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
