-- 1.2.0: per-tenant feature flags.
CREATE TABLE tenant_feature_flags (
  tenant text NOT NULL,
  flag text NOT NULL,
  enabled boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, flag)
);
