"""The catalogue: seasons, closures, venues, activities, groups, weekly slots and meetings,
one module per concern.

Sections, clubs, ensembles and courses are one model (`Activity`) with a kind.
"""

from .activities import Activity, ActivityKind, Category, Group, GroupQuerySet, age_on
from .schedule import Meeting, MeetingStatus, Weekday, WeeklySlot
from .seasons import AllocationMode, ClosurePeriod, Season, SeasonQuerySet
from .venues import Instructor, Room, Venue

__all__ = [
    "Activity",
    "ActivityKind",
    "AllocationMode",
    "Category",
    "ClosurePeriod",
    "Group",
    "GroupQuerySet",
    "Instructor",
    "Meeting",
    "MeetingStatus",
    "Room",
    "Season",
    "SeasonQuerySet",
    "Venue",
    "Weekday",
    "WeeklySlot",
    "age_on",
]
