"""The words of the printed 月度通报: its title, the key figures said in sentences, and the 红榜
(the best ranked) and 末位 (the last ranked) of each ranking, as a centre circulates them. Pure:
it reads a ``ReportBook``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from queue_server import EN

from .report_export import ReportBook, figure

PODIUM = 3  # how many a 红榜 names, and a 末位 list


def _min(seconds: Any) -> str:
    return figure(None if seconds is None else float(seconds) / 60, "minutes")


def title(book: ReportBook, month: bool) -> str:
    if book.lang == EN:
        when = f"{book.first:%B %Y}" if month else f"{book.first} to {book.last}"
        return f"{book.hall_name}: government service bulletin, {when}"
    when = f"{book.first.year}年{book.first.month}月" if month else f"{book.first} 至 {book.last}"
    return f"{book.hall_name} {when} 政务服务情况通报"


def podium(answer: Mapping[str, Any]) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
    """The first ``PODIUM`` ranked rows and the last ``PODIUM`` (none of the first; the rows too
    few to rank are in neither)."""
    ranked = [r for r in answer["rows"] if r["rank"] is not None]
    top = ranked[:PODIUM]
    bottom = [r for r in ranked[-PODIUM:] if r not in top]
    return top, list(reversed(bottom))


def bulletin(book: ReportBook, *, month: bool) -> dict[str, Any]:
    """``title``, the paragraphs ``overall``, ``ratings``, ``follow_ups``, ``attendance``, and
    ``boards``: each ranking with its 红榜 and 末位."""
    t, en = book.totals, book.lang == EN
    wait, within, noon, ratings = t["wait"], t["within_target"], t["noon"], t["ratings"]
    follow = book.supervision.get("follow_ups", {})
    att = book.supervision.get("attendance", {}).get("totals", {})
    share = within["share"]
    if en:
        overall = (
            f"From {book.first} to {book.last} the hall issued {t['issued']} numbers and served {t['served']} "
            f"visitors ({t['no_show']} no-shows, {t['cancelled']} cancelled, {t['transferred']} transferred). The "
            f"mean wait was {_min(wait['mean_s'])} minutes, nine in ten waited at most {_min(wait['p90_s'])} "
            f"minutes, and {figure(share, 'share')} were called within {within['minutes']:g} minutes. Over "
            f"the noon period {noon['issued']} numbers were issued and {noon['served']} visitors served."
        )
        rated = (
            f"{ratings['count']} ratings were given: satisfaction {figure(ratings['satisfied_share'], 'share')}, "
            f"{ratings['bad']} bad ratings."
        )
        cases = (
            f"{follow.get('opened', 0)} follow-up cases were opened: {follow.get('done', 0)} done, "
            f"{follow.get('done_on_time', 0)} of them on time; {follow.get('overdue', 0)} overdue. Follow-ups on "
            f"time: {figure(follow.get('on_time_share'), 'share')}."
        )
        present = (
            f"{att.get('duty_days', 0)} duty days: {att.get('late_days', 0)} late, {att.get('early_days', 0)} "
            f"left early, {att.get('absent_days', 0)} absent."
        )
    else:
        overall = (
            f"{book.first} 至 {book.last}，大厅共取号 {t['issued']} 人次，办结 {t['served']} 件，过号 {t['no_show']} "
            f"人次，取消 {t['cancelled']} 人次，转移 {t['transferred']} 件。群众平均等候 {_min(wait['mean_s'])} 分钟，"
            f"90% 的群众等候不超过 {_min(wait['p90_s'])} 分钟，{within['minutes']:g} 分钟内叫号的占 "
            f"{figure(share, 'share')}。中午不停歇时段取号 {noon['issued']} 人次，办结 {noon['served']} 件。"
        )
        rated = (
            f"共收到好差评 {ratings['count']} 条，满意率 {figure(ratings['satisfied_share'], 'share')}，"
            f"差评 {ratings['bad']} 条。"
        )
        cases = (
            f"差评回访工单 {follow.get('opened', 0)} 件，已办结 {follow.get('done', 0)} 件，其中按期办结 "
            f"{follow.get('done_on_time', 0)} 件；逾期未办 {follow.get('overdue', 0)} 件；按期回访率 "
            f"{figure(follow.get('on_time_share'), 'share')}。"
        )
        present = (
            f"在岗 {att.get('duty_days', 0)} 人天，迟到 {att.get('late_days', 0)} 人次，早退 "
            f"{att.get('early_days', 0)} 人次，缺勤 {att.get('absent_days', 0)} 人次。"
        )
    boards = []
    for answer in book.rankings:
        m = answer["measure"]
        unit = {"share": "share", "seconds": "minutes", "score": "score"}.get(m["unit"], "count")
        top, bottom = podium(answer)

        def said(rows: list[Mapping[str, Any]], of: str = answer["of"], unit: str = unit) -> list[dict[str, Any]]:
            scale = 60 if unit == "minutes" else 1
            return [
                {"rank": r["rank"], "name": book.name(of, r["group"]),
                 "value": figure(None if r["value"] is None else r["value"] / scale, unit)}
                for r in rows
            ]  # fmt: skip

        boards.append({"of": answer["of"], "measure": m["en"] if en else m["zh"], "top": said(top),
                       "bottom": said(bottom)})  # fmt: skip
    return {
        "title": title(book, month),
        "overall": overall,
        "ratings": rated,
        "follow_ups": cases,
        "attendance": present,
        "boards": boards,
    }


__all__ = ["PODIUM", "bulletin", "podium", "title"]
