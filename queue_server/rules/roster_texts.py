"""The texts that explain a broken roster rule, Chinese first with English, naming the day, the
slots, and the service, post or clerk concerned."""

from __future__ import annotations

from datetime import date

from .roster_problem import Rule, Violation, slot_time

_WEEKDAY_ZH = "一二三四五六日"
_WEEKDAY_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_zh(day: date) -> str:
    return f"{day.month}月{day.day}日周{_WEEKDAY_ZH[day.weekday()]}"


def day_en(day: date) -> str:
    return f"{_WEEKDAY_EN[day.weekday()]} {day.day} {_MONTH_EN[day.month - 1]}"


def span_text(slot: int, end: int) -> str:
    return f"{slot_time(slot):%H:%M}–{slot_time(end):%H:%M}"


def coverage_violation(day: date, slot: int, end: int, have: int, need: int) -> Violation:
    span = span_text(slot, end)
    return Violation(
        Rule.COVERAGE,
        day,
        f"{day_zh(day)} {span} 在岗 {have} 人，需开 {need} 个窗口",
        f"{day_en(day)} {span}: {have} on duty, {need} windows required",
        slot=slot,
        slot_end=end,
        amount=need - have,
    )


def skill_violation(day: date, slot: int, end: int, service: str) -> Violation:
    span = span_text(slot, end)
    return Violation(
        Rule.SKILL,
        day,
        f"{day_zh(day)} {span} 没有会办 {service} 的人在岗",
        f"{day_en(day)} {span}: nobody on duty can serve {service}",
        slot=slot,
        slot_end=end,
        service=service,
    )


def leave_violation(day: date, login: str) -> Violation:
    return Violation(
        Rule.LEAVE,
        day,
        f"{day_zh(day)} {login} 不在岗（请假、外出或培训），不能排班",
        f"{day_en(day)}: {login} is away (leave, out or training) and cannot be rostered",
        login=login,
    )


def ab_away_violation(day: date, post: str, a: str, b: str) -> Violation:
    return Violation(
        Rule.AB_AWAY,
        day,
        f"{day_zh(day)} 岗位 {post} 的 A 岗 {a} 与 B 岗 {b} 同时不在",
        f"{day_en(day)}: post {post}'s A ({a}) and B ({b}) are both away",
        post=post,
    )


def ab_lunch_violation(day: date, slot: int, end: int, post: str, a: str, b: str) -> Violation:
    span = span_text(slot, end)
    return Violation(
        Rule.AB_LUNCH,
        day,
        f"{day_zh(day)} {span} 岗位 {post} 的 A 岗 {a} 与 B 岗 {b} 同时午休",
        f"{day_en(day)} {span}: post {post}'s A ({a}) and B ({b}) are both at lunch",
        slot=slot,
        slot_end=end,
        post=post,
    )


def week_hours_violation(monday: date, login: str, minutes: int, limit: int) -> Violation:
    return Violation(
        Rule.WEEK_HOURS,
        monday,
        f"{login} 在 {day_zh(monday)} 起的一周排班 {minutes / 60:g} 小时，超过 {limit / 60:g} 小时",
        f"{login}: {minutes / 60:g} h in the week of {day_en(monday)}, over {limit / 60:g} h",
        login=login,
        amount=minutes - limit,
    )


def rest_violation(day: date, login: str, minutes: int, limit: int) -> Violation:
    return Violation(
        Rule.REST,
        day,
        f"{day_zh(day)} {login} 距上一班只休息 {minutes / 60:g} 小时，少于 {limit / 60:g} 小时",
        f"{day_en(day)}: {login} rests only {minutes / 60:g} h since the last shift, under {limit / 60:g} h",
        login=login,
        amount=limit - minutes,
    )


def consecutive_violation(day: date, login: str, days: int, limit: int) -> Violation:
    return Violation(
        Rule.CONSECUTIVE,
        day,
        f"{login} 截至{day_zh(day)}连续工作 {days} 天，超过 {limit} 天",
        f"{login}: {days} days in a row up to {day_en(day)}, over {limit}",
        login=login,
        amount=days - limit,
    )


def pinned_violation(day: date, login: str, shift: str) -> Violation:
    return Violation(
        Rule.PINNED,
        day,
        f"{day_zh(day)} {login} 的固定排班（{shift}）未保留",
        f"{day_en(day)}: {login}'s pinned duty ({shift}) was not kept",
        login=login,
    )


def double_violation(day: date, login: str, count: int) -> Violation:
    return Violation(
        Rule.DOUBLE,
        day,
        f"{day_zh(day)} {login} 排了 {count} 个班，每天只能一个",
        f"{day_en(day)}: {login} has {count} duties, one a day at most",
        login=login,
        amount=count - 1,
    )


def shape_violation(day: date, login: str, why_zh: str, why_en: str) -> Violation:
    return Violation(
        Rule.SHAPE,
        day,
        f"{day_zh(day)} {login} 的排班有误：{why_zh}",
        f"{day_en(day)}: {login}'s duty is wrong: {why_en}",
        login=login,
    )
