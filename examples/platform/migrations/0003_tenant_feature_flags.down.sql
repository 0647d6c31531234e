DROP TABLE tenant_feature_flags;
