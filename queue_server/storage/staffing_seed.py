"""What a hall file gives the staffing records when the server starts.

The staff list (``[[hall.staff]]``), one post per window and the shift templates seed the
registry only while the hall has none of each stored: from then on the database rules (the
dashboard edits it) and the file's lists are not applied again, so editing them later changes
nothing. The file's calendar overrides are the file's own and are synced at every start.
"""

from __future__ import annotations

from ..config import HallConfig
from ..staffing import Post, Skill, StaffMember
from .base import HallTx


def post_code(window: int) -> str:
    return f"W{window:02d}"


def seed_staffing(tx: HallTx, hall: HallConfig) -> None:
    if not tx.has_staff():
        for person in hall.staff:
            skills = tuple(Skill(code) for code in person.skills)
            tx.put_staff(StaffMember(hall.slug, person.login, person.name, skills=skills))
    if not tx.posts():
        for win in hall.windows:
            tx.put_post(Post(hall.slug, post_code(win.number), win.number, tuple(sorted(win.services))))
    if not tx.shift_templates():
        for template in hall.shifts:
            tx.put_shift_template(template)
    tx.replace_file_calendar(list(hall.calendar))
