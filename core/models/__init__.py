from core.models.attempts import OPEN_ATTEMPT_STATUSES, Attempt, AttemptStatus
from core.models.clients import Client, ClientEvent, ClientEventKind, UnsubscribeMethod
from core.models.lists import ClientList, ListMember, MailingTarget
from core.models.mailings import Mailing, MailingDisplayStatus, MailingRecipient, MailingStatus, Periodicity
from core.models.messages import Message, MessageFormat
from core.models.outbox import OutboxEmail, OutboxStatus
from core.models.stats import DailyStats, RunStats
from core.models.test_addresses import TestAddress
from core.models.tracking import LinkClick, MessageOpen, TrackedLink
from core.models.users import User

__all__ = [
    "OPEN_ATTEMPT_STATUSES",
    "Attempt",
    "AttemptStatus",
    "Client",
    "ClientEvent",
    "ClientEventKind",
    "ClientList",
    "DailyStats",
    "LinkClick",
    "ListMember",
    "Mailing",
    "MailingDisplayStatus",
    "MailingRecipient",
    "MailingStatus",
    "MailingTarget",
    "Message",
    "MessageFormat",
    "MessageOpen",
    "OutboxEmail",
    "OutboxStatus",
    "Periodicity",
    "RunStats",
    "TestAddress",
    "TrackedLink",
    "UnsubscribeMethod",
    "User",
]
