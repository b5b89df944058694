-- CreateTable
CREATE TABLE "idempotency_keys" (
    "tenant_scope" VARCHAR(36) NOT NULL,
    "actor_id" TEXT NOT NULL,
    "key" VARCHAR(255) NOT NULL,
    "operation" VARCHAR(32) NOT NULL,
    "fingerprint" BYTEA NOT NULL,
    "fingerprint_key" VARCHAR(64) NOT NULL,
    "response" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("tenant_scope","actor_id","key")
);

-- CreateIndex
CREATE INDEX "idx_idempotency_key_expiry" ON "idempotency_keys"("expires_at");
