-- CreateTable
CREATE TABLE "service_platforms" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "service_name" VARCHAR(64) NOT NULL,
    "config_ciphertext" BYTEA NOT NULL,
    "config_iv" BYTEA NOT NULL,
    "config_auth_tag" BYTEA NOT NULL,
    "data_key_id" UUID NOT NULL,
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "service_platforms_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tenant_data_keys" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "wrapped_key" BYTEA NOT NULL,
    "wrap_iv" BYTEA NOT NULL,
    "wrap_auth_tag" BYTEA NOT NULL,
    "master_key_id" VARCHAR(64) NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tenant_data_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "key_rotations" (
    "id" UUID NOT NULL,
    "master_key_id" VARCHAR(64) NOT NULL,
    "reencrypt" BOOLEAN NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "keys_rewrapped" INTEGER NOT NULL DEFAULT 0,
    "configs_reencrypted" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "key_rotations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "master_keys" (
    "id" VARCHAR(64) NOT NULL,
    "check_value" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "master_keys_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "idx_service_platform_tenant_id" ON "service_platforms"("tenant_id", "id");

-- CreateIndex
CREATE INDEX "idx_service_platform_data_key" ON "service_platforms"("data_key_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "idx_service_platform_tenant_service" ON "service_platforms"("tenant_id", "service_name");

-- CreateIndex
CREATE INDEX "idx_tenant_data_key_tenant" ON "tenant_data_keys"("tenant_id", "id");

-- CreateIndex
CREATE INDEX "idx_tenant_data_key_master" ON "tenant_data_keys"("master_key_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "idx_key_rotation_target" ON "key_rotations"("master_key_id", "reencrypt");

-- AddForeignKey
ALTER TABLE "service_platforms" ADD CONSTRAINT "service_platforms_data_key_id_fkey" FOREIGN KEY ("data_key_id") REFERENCES "tenant_data_keys"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
