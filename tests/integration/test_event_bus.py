"""
The plugin's own events through a real event bus: edx-event-bus-redis produces them to Redis and consumes them back.

An integration test: it needs Redis (``DISTINGUISHED_TEST_REDIS_URL``, by default redis://127.0.0.1:6379/0, which
``.ci/run`` starts). ``tests/conftest.py`` deselects it unless ``DISTINGUISHED_TEST_DB=mysql`` (the MariaDB tox
environments) or ``DISTINGUISHED_INTEGRATION=1``.

The event goes the way it goes in the LMS: ``send_event`` -> openedx-events' ``general_signal_handler`` (connected for
the event types named in ``EVENT_BUS_PRODUCER_CONFIG``) -> ``EVENT_BUS_PRODUCER`` (the Redis producer) -> a Redis
stream -> ``EVENT_BUS_CONSUMER`` (the Redis consumer) -> ``send_event_with_custom_metadata``, which sends the signal
again with ``from_event_bus=True``. That flag is what keeps the producer from sending the consumed event back to the
bus; the test checks the stream still holds one entry once the event was consumed.
"""
import contextlib
import os
import threading
import uuid
from datetime import datetime, timezone

import pytest
import redis
from django.test import override_settings
from edx_event_bus_redis import RedisEventConsumer
from edx_event_bus_redis.internal import consumer as redis_consumer
from edx_event_bus_redis.internal.producer import RedisEventProducer
from openedx_events.apps import general_signal_handler
from openedx_events.event_bus import get_producer, make_single_consumer
from openedx_events.tooling import SIGNAL_PROCESSED_FROM_EVENT_BUS

from openedx_distinguished.signals import signals

# One Redis for the whole run: with two workers (pytest-xdist, --dist loadgroup) these tests share one.
pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("redis")]

REDIS_URL = os.environ.get("DISTINGUISHED_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
TOPIC_PREFIX = "distinguished-test"
# How long the consumer may take to bring the event back before the test gives up (seconds).
CONSUME_DEADLINE = 15

PUBLIC_ID = "5f0c6f6e-3a53-4c1e-9a1b-2f6d3f0b9c42"
EVENTS = [
    pytest.param(
        signals.MEMBERSHIP_GRANTED, "membership",
        signals.MembershipEventData(
            term_id=42, track="engineer", status="active", holder_kind="individual", holder_username="ada",
            holder_organization="", sequence=1, starts_at=datetime(2026, 6, 1, 15, 0, tzinfo=timezone.utc),
            ends_at="2027-06-01T15:00:00+00:00",
        ),
        "membership.term_id",
        id="membership-granted",
    ),
    pytest.param(
        signals.CREDENTIAL_ISSUED, "credential",
        signals.CredentialEventData(
            public_id=PUBLIC_ID, term_id=42, track="engineer", holder_username="ada",
            verification_url=f"https://lms.example.org/distinguished/verify/{PUBLIC_ID}/", revoked=False,
        ),
        "credential.public_id",
        id="credential-issued",
    ),
]


@pytest.fixture
def redis_client():
    """A plain Redis client, to look at the streams behind the library's back."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        pytest.fail(f"No Redis at {REDIS_URL} ({exc}); the integration run starts one (.ci/run)")
    yield client
    client.close()


@pytest.fixture
def topic(redis_client):
    """A topic of this test's own, so that reruns and parallel runs never share a stream; deleted afterwards."""
    name = f"test-{uuid.uuid4().hex}"
    yield name
    # Deleting the stream deletes its consumer groups too.
    redis_client.delete(f"{TOPIC_PREFIX}-{name}")


@contextlib.contextmanager
def connected(signal, receiver, uid):
    """``receiver`` listens to ``signal`` inside the block only."""
    signal.connect(receiver, dispatch_uid=uid)
    try:
        yield
    finally:
        signal.disconnect(dispatch_uid=uid)


@pytest.mark.parametrize("signal, data_key, payload, event_key_field", EVENTS)
def test_event_goes_through_redis_and_comes_back(
        signal, data_key, payload, event_key_field, topic, redis_client, monkeypatch):
    stream = f"{TOPIC_PREFIX}-{topic}"
    group = f"{topic}-group"
    sent, consumed = [], []
    consumers = []

    def record(sender, metadata, **kwargs):
        entry = (kwargs[data_key], metadata)
        if kwargs[SIGNAL_PROCESSED_FROM_EVENT_BUS]:
            consumed.append(entry)
            consumers[0]._shut_down()  # pylint: disable=protected-access
        else:
            sent.append(entry)

    # The consumer blocks this long (seconds) on each read of an empty stream; a module constant read at import time.
    monkeypatch.setattr(redis_consumer, "CONSUMER_POLL_TIMEOUT", 1)
    event_bus_settings = override_settings(
        EVENT_BUS_PRODUCER="edx_event_bus_redis.create_producer",
        EVENT_BUS_CONSUMER="edx_event_bus_redis.RedisEventConsumer",
        EVENT_BUS_REDIS_CONNECTION_URL=REDIS_URL,
        EVENT_BUS_TOPIC_PREFIX=TOPIC_PREFIX,
        EVENT_BUS_PRODUCER_CONFIG={signal.event_type: {topic: {"event_key_field": event_key_field, "enabled": True}}},
        # Any error in the consume loop (unreadable message, failing receiver) ends it instead of being retried.
        EVENT_BUS_REDIS_CONSUMER_CONSECUTIVE_ERRORS_LIMIT=1,
    )
    # test_settings does not install openedx_events, whose ready() connects general_signal_handler to the
    # event types of EVENT_BUS_PRODUCER_CONFIG: connect it here as ready() would.
    with event_bus_settings, connected(signal, general_signal_handler, "distinguished-test-event-bus-producer"), \
            connected(signal, record, "distinguished-test-event-bus-record"):
        # override_settings cleared get_producer's cache: this is create_producer's producer for these settings.
        producer = get_producer()
        assert isinstance(producer, RedisEventProducer)

        signal.send_event(**{data_key: payload})

        # Produced: one entry in this test's stream, carrying the event's CloudEvent headers.
        assert len(sent) == 1
        sent_metadata = sent[0][1]
        assert redis_client.xlen(stream) == 1
        [(_, fields)] = redis_client.xrange(stream)
        assert fields[b"type"] == signal.event_type.encode()
        assert fields[b"id"] == str(sent_metadata.id).encode()
        assert fields[b"event_data"]

        # check_backlog: the new consumer group reads the stream from its start, so the entry already in it.
        consumer = make_single_consumer(topic=topic, group_id=group, consumer_name="test-consumer", check_backlog=True)
        assert isinstance(consumer, RedisEventConsumer)  # not openedx-events' NoEventBusConsumer stand-in
        consumers.append(consumer)
        # ``record`` stops the loop once the event is back; this stops it if the event never comes.
        deadline = threading.Timer(CONSUME_DEADLINE, consumer._shut_down)  # pylint: disable=protected-access
        deadline.start()
        try:
            consumer.consume_indefinitely()
        finally:
            deadline.cancel()
        producer.client.close()

    # The consumer sent the signal again, with the payload and metadata the producer was given.
    assert len(consumed) == 1, "the event did not come back from Redis"
    consumed_payload, consumed_metadata = consumed[0]
    assert consumed_payload == payload
    assert isinstance(consumed_payload, type(payload))
    assert consumed_metadata.event_type == signal.event_type
    assert consumed_metadata.id == sent_metadata.id
    assert consumed_metadata == sent_metadata
    # The consumed event was not produced again (from_event_bus=True), and the consumer acknowledged it.
    assert redis_client.xlen(stream) == 1
    assert redis_client.xpending(stream, group)["pending"] == 0
