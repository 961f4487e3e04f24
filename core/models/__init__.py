from core.models.attempts import OPEN_ATTEMPT_STATUSES, Attempt, AttemptStatus
from core.models.clients import Client, ClientEvent, ClientEventKind, ClientMatch, ConsentSource, UnsubscribeMethod
from core.models.images import MessageImage
from core.models.lists import AttemptSource, ClientList, ListMember, MailingTarget
from core.models.mailings import Mailing, MailingDisplayStatus, MailingRecipient, MailingStatus, Periodicity
from core.models.messages import Message, MessageFormat
from core.models.outbox import OutboxEmail, OutboxStatus
from core.models.proof_addresses import TestAddress
from core.models.stats import DailyStats, RunListStats, RunStats
from core.models.tracking import LinkClick, MessageOpen, TrackedLink
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
    "ClientMatch",
    "ConsentSource",
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
    "MessageImage",
    "MessageOpen",
    "OutboxEmail",
    "OutboxStatus",
    "Periodicity",
    "RunListStats",
    "RunStats",
    "TestAddress",
    "TrackedLink",
    "UnsubscribeMethod",
    "User",
]
