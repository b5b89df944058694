-- CreateTable
CREATE TABLE "service_platforms" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "service_name" VARCHAR(64) NOT NULL,
    "config_ciphertext" BYTEA NOT NULL,
    "config_iv" BYTEA NOT NULL,
    "config_auth_tag" BYTEA NOT NULL,
    "config_key_id" VARCHAR(64) NOT NULL,
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "service_platforms_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "idx_service_platform_tenant_id" ON "service_platforms"("tenant_id", "id");

-- CreateIndex
CREATE INDEX "idx_service_platform_config_key" ON "service_platforms"("config_key_id");

-- CreateIndex
CREATE UNIQUE INDEX "idx_service_platform_tenant_service" ON "service_platforms"("tenant_id", "service_name");
