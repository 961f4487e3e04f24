from core.models.attempts import OPEN_ATTEMPT_STATUSES, Attempt, AttemptStatus
from core.models.clients import Client, ClientEvent, ClientEventKind, UnsubscribeMethod
from core.models.lists import AttemptSource, ClientList, ListMember, MailingTarget
from core.models.mailings import Mailing, MailingDisplayStatus, MailingRecipient, MailingStatus, Periodicity
from core.models.messages import Message, MessageFormat
from core.models.outbox import OutboxEmail, OutboxStatus
from core.models.stats import DailyStats, RunListStats, RunStats
from core.models.users import User

__all__ = [
    "OPEN_ATTEMPT_STATUSES",
    "Attempt",
    "AttemptSource",
    "AttemptStatus",
    "Client",
    "ClientEvent",
    "ClientEventKind",
    "ClientList",
    "DailyStats",
    "ListMember",
    "Mailing",
    "MailingDisplayStatus",
    "MailingRecipient",
    "MailingStatus",
    "MailingTarget",
    "Message",
    "MessageFormat",
    "OutboxEmail",
    "OutboxStatus",
    "Periodicity",
    "RunListStats",
    "RunStats",
    "UnsubscribeMethod",
    "User",
]
