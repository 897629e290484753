"""Consultation: service windows and their bookings, consultation records, the four-level
consultation meetings (加梯会客厅), petitions (信访) and publicity.

One module per area; every model is importable from here.
"""

from jiati.consultation.models.meetings import (
    ActionStatus,
    InviteeKind,
    Meeting,
    MeetingAction,
    MeetingInvitee,
    MeetingLevel,
    MeetingProject,
    MeetingStatus,
)
from jiati.consultation.models.petitions import (
    Petition,
    PetitionChannel,
    PetitionEvent,
    PetitionEventKind,
    PetitionLevel,
    PetitionSettings,
    PetitionStatus,
    ReplyMethod,
    Satisfaction,
)
from jiati.consultation.models.publicity import Article, ArticleKind, ArticleStatus
from jiati.consultation.models.windows import (
    Booking,
    BookingStatus,
    Channel,
    ConsultationRecord,
    Topic,
    VisitorKind,
    WindowSlot,
)

__all__ = [
    "ActionStatus",
    "Article",
    "ArticleKind",
    "ArticleStatus",
    "Booking",
    "BookingStatus",
    "Channel",
    "ConsultationRecord",
    "InviteeKind",
    "Meeting",
    "MeetingAction",
    "MeetingInvitee",
    "MeetingLevel",
    "MeetingProject",
    "MeetingStatus",
    "Petition",
    "PetitionChannel",
    "PetitionEvent",
    "PetitionEventKind",
    "PetitionLevel",
    "PetitionSettings",
    "PetitionStatus",
    "ReplyMethod",
    "Satisfaction",
    "Topic",
    "VisitorKind",
    "WindowSlot",
]
