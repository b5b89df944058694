-- CreateTable
CREATE TABLE "outbox_events" (
    "id" UUID NOT NULL,
    "sequence" BIGSERIAL NOT NULL,
    "platform_id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "event_type" VARCHAR(64) NOT NULL,
    "payload" JSONB NOT NULL,
    "changes" JSONB NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "targets" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "delivered" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "available_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leased_until" TIMESTAMPTZ(3),
    "leased_by" VARCHAR(64),
    "last_error" VARCHAR(1000),
    "processed_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" UUID NOT NULL,
    "event_id" UUID NOT NULL,
    "platform_id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "action" VARCHAR(32) NOT NULL,
    "actor_id" TEXT NOT NULL,
    "changes" JSONB NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "outbox_events_sequence_key" ON "outbox_events"("sequence");

-- CreateIndex
CREATE INDEX "idx_outbox_pending" ON "outbox_events"("processed_at", "sequence");

-- CreateIndex
CREATE INDEX "idx_outbox_platform" ON "outbox_events"("platform_id", "sequence");

-- CreateIndex
CREATE UNIQUE INDEX "idx_audit_log_event" ON "audit_log"("event_id");

-- CreateIndex
CREATE INDEX "idx_audit_log_platform" ON "audit_log"("platform_id", "occurred_at" DESC, "id" DESC);

-- Wakes the outbox relays as soon as a change commits (NOTIFY is delivered at commit, never for a
-- rolled-back transaction); they also poll, so a lost notification only delays an event. The
-- payload is "<schema> <event id>": relays of other schemas in the same database ignore it, and
-- the event id lets an observer (the benchmark) tell when each event committed.
CREATE FUNCTION "service_platform_outbox_notify"() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('service_platform_outbox', TG_TABLE_SCHEMA || ' ' || NEW.id::text);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "outbox_events_notify"
    AFTER INSERT ON "outbox_events"
    FOR EACH ROW EXECUTE FUNCTION "service_platform_outbox_notify"();
