from datetime import timedelta

import factory
from django.utils import timezone

from core.models import Attempt, Client, Mailing, Message, Periodicity


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    email = factory.Sequence(lambda n: f"client{n}@example.com")
    full_name = factory.Faker("name")


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    subject = factory.Sequence(lambda n: f"Subject {n}")
    body = "Hello {full_name}, this is for {email}."


class MailingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mailing
        skip_postgeneration_save = True

    message = factory.LazyAttribute(lambda o: MessageFactory(owner=o.owner))
    start_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))
    periodicity = Periodicity.ONCE

    @factory.post_generation
    def clients(self, create, extracted, **kwargs):
        if create and extracted:
            self.clients.set(extracted)


class AttemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attempt

    run_at = factory.LazyAttribute(lambda o: o.mailing.start_at)
