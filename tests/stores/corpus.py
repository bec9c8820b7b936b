"""A small hand-written corpus with known answers for the relevance sanity test.

Every document shares generic vocabulary (guide, configure, team, service, data...) so that a
query only finds its answer through the words that matter.
"""

from __future__ import annotations

COMMON = "This guide is maintained by the platform team. Configure the service carefully and check the data."

# (file stem, title, body, query whose answer is this document)
ENTRIES: list[tuple[str, str, str, str]] = [
    (
        "tls-renewal",
        "Renewing TLS certificates",
        "Certbot renews certificates every sixty days; the nginx reload picks up the new chain.",
        "how do I renew an expired certificate",
    ),
    (
        "postgres-backup",
        "PostgreSQL backups",
        "pg_dump runs nightly and WAL archiving ships segments to object storage for point in time recovery.",
        "point in time recovery for postgres",
    ),
    (
        "kafka-lag",
        "Kafka consumer lag",
        "Consumer lag grows when partitions are unbalanced; add consumers to the group or rebalance partitions.",
        "kafka consumers falling behind",
    ),
    (
        "oncall-rotation",
        "On-call rotation",
        "Engineers rotate weekly; the pager escalates to the secondary after fifteen minutes without acknowledgement.",
        "who gets paged when the primary does not acknowledge",
    ),
    (
        "expense-policy",
        "Expense policy",
        "Receipts above fifty euros must be attached; travel meals are reimbursed up to a daily allowance.",
        "meal reimbursement allowance while travelling",
    ),
    (
        "vpn-setup",
        "VPN setup",
        "Install WireGuard, import the tunnel profile and connect before reaching internal dashboards.",
        "wireguard tunnel profile",
    ),
    (
        "docker-cache",
        "Docker build cache",
        "Order Dockerfile layers from least to most volatile so the build cache is reused; use BuildKit mounts.",
        "speed up docker builds with layer caching",
    ),
    (
        "k8s-probes",
        "Kubernetes probes",
        "Liveness probes restart stuck pods; readiness probes remove pods from the load balancer until warm.",
        "difference between liveness and readiness probes",
    ),
    (
        "feature-flags",
        "Feature flags",
        "Flags roll out gradually by percentage; stale flags are removed after a release cycle.",
        "gradual rollout percentage flags",
    ),
    (
        "incident-review",
        "Incident reviews",
        "Blameless postmortems record the timeline, contributing factors and follow-up actions within five days.",
        "blameless postmortem timeline",
    ),
    (
        "api-ratelimit",
        "API rate limiting",
        "Clients receive HTTP 429 with a Retry-After header when they exceed the token bucket.",
        "what does 429 retry-after mean",
    ),
    (
        "sso-login",
        "Single sign-on",
        "Okta SAML assertions map groups to roles; deprovisioning removes access within an hour.",
        "okta saml group role mapping",
    ),
    (
        "laptop-refresh",
        "Laptop refresh",
        "Laptops are replaced every three years; return the old machine to IT for secure wiping.",
        "when do I get a new laptop",
    ),
    (
        "parental-leave",
        "Parental leave",
        "Parents receive sixteen weeks of paid leave, which can be split into two blocks within a year.",
        "how many weeks of paid leave for new parents",
    ),
    (
        "redis-eviction",
        "Redis eviction",
        "With maxmemory reached, the allkeys-lru policy evicts least recently used keys first.",
        "redis maxmemory lru eviction policy",
    ),
    (
        "terraform-state",
        "Terraform state",
        "Remote state lives in a locked S3 bucket with DynamoDB locking to prevent concurrent applies.",
        "terraform state locking dynamodb",
    ),
    (
        "graphql-pagination",
        "GraphQL pagination",
        "Use cursor connections with edges and pageInfo; offsets break when rows are inserted.",
        "graphql cursor connections pageinfo",
    ),
    (
        "css-grid",
        "CSS grid layouts",
        "Grid template areas name regions; minmax and auto-fill build responsive galleries without media queries.",
        "responsive gallery with css grid auto-fill",
    ),
    (
        "python-packaging",
        "Python packaging",
        "Build wheels with pyproject metadata; pin dependencies in lock files compiled with uv.",
        "build a python wheel from pyproject",
    ),
    (
        "git-rebase",
        "Interactive rebase",
        "Squash fixup commits with interactive rebase before merging; never rewrite shared branches.",
        "squash commits before merge",
    ),
    (
        "code-review",
        "Code review etiquette",
        "Reviewers respond within one business day and separate blocking comments from nitpicks.",
        "how fast should reviewers respond",
    ),
    (
        "dns-ttl",
        "DNS time to live",
        "Lower the TTL a day before migrating records so resolvers pick up the change quickly.",
        "lower dns ttl before migration",
    ),
    (
        "cdn-purge",
        "CDN cache purge",
        "Purge by surrogate key after deploying assets; a full purge overloads the origin.",
        "purge cdn cache after deploy",
    ),
    (
        "s3-lifecycle",
        "S3 lifecycle rules",
        "Objects move to Glacier after ninety days and expire after seven years for compliance.",
        "move objects to glacier automatically",
    ),
    (
        "gdpr-requests",
        "GDPR data requests",
        "Subject access requests are answered within thirty days; erasure removes personal data from backups on rotation.",
        "answer a subject access request",
    ),
    (
        "password-manager",
        "Password manager",
        "Store shared credentials in 1Password vaults; never paste secrets into chat.",
        "where to store shared passwords",
    ),
    (
        "mfa-reset",
        "Resetting MFA",
        "Lost authenticator devices are reset by the helpdesk after a video identity check.",
        "lost my authenticator phone",
    ),
    (
        "office-wifi",
        "Office wifi",
        "The guest network rotates its passphrase monthly; employees use the certificate-based network.",
        "guest wifi passphrase",
    ),
    (
        "desk-booking",
        "Desk booking",
        "Hot desks are reserved in the booking app up to two weeks ahead; unused bookings release at ten.",
        "reserve a hot desk",
    ),
    (
        "coffee-machine",
        "Coffee machine",
        "Descale the espresso machine weekly; the milk frother is rinsed after every use.",
        "descale the espresso machine",
    ),
    (
        "bike-storage",
        "Bike storage",
        "Bicycles go in the basement racks; e-bike batteries may not be charged indoors.",
        "where can I park my bicycle",
    ),
    (
        "sales-forecast",
        "Sales forecasting",
        "Quarterly forecasts weight pipeline stages by historical win rates per segment.",
        "weighting pipeline by win rate",
    ),
    (
        "churn-analysis",
        "Churn analysis",
        "Cohort retention curves reveal churn; customers without onboarding calls churn twice as often.",
        "cohort retention churn onboarding",
    ),
    (
        "pricing-tiers",
        "Pricing tiers",
        "The starter plan caps seats at ten; enterprise adds SSO, audit logs and a dedicated manager.",
        "which plan includes audit logs",
    ),
    (
        "invoice-disputes",
        "Invoice disputes",
        "Disputed invoices are paused while finance reviews usage records with the customer.",
        "customer disputes an invoice",
    ),
    (
        "brand-colors",
        "Brand colours",
        "The primary palette is ultramarine and saffron; logos need clear space equal to the cap height.",
        "logo clear space rules",
    ),
    (
        "accessibility",
        "Accessibility checklist",
        "Text contrast must reach WCAG AA; every image needs alt text and forms need labels.",
        "wcag contrast requirements",
    ),
    (
        "mobile-release",
        "Mobile releases",
        "iOS builds go through TestFlight for a week before App Store review and phased release.",
        "testflight before app store",
    ),
    (
        "crash-reporting",
        "Crash reporting",
        "Sentry groups crashes by fingerprint; symbolicate stack traces by uploading dSYM files.",
        "upload dsym for symbolication",
    ),
    (
        "ab-testing",
        "A/B testing",
        "Experiments need a precomputed sample size; peeking at results inflates false positives.",
        "sample size for experiments",
    ),
    (
        "data-warehouse",
        "Data warehouse",
        "dbt models transform raw events into marts; freshness tests alert when loads are late.",
        "dbt freshness tests",
    ),
    (
        "etl-retries",
        "ETL retries",
        "Airflow tasks retry three times with exponential backoff before paging the data engineer.",
        "airflow task retries backoff",
    ),
    (
        "ml-model-registry",
        "Model registry",
        "Models are versioned in MLflow; promotion to production requires an evaluation report.",
        "promote mlflow model to production",
    ),
    (
        "gpu-quota",
        "GPU quota",
        "Each team gets eight A100 GPUs; request more through the capacity form with a justification.",
        "request more gpus",
    ),
    (
        "log-retention",
        "Log retention",
        "Application logs are kept thirty days in Loki and a year in cold storage for audits.",
        "how long are logs kept",
    ),
    (
        "tracing",
        "Distributed tracing",
        "OpenTelemetry propagates trace context in headers; sample one percent of requests in production.",
        "opentelemetry trace sampling",
    ),
    (
        "load-testing",
        "Load testing",
        "k6 scripts ramp virtual users to peak traffic; run them against staging, never production.",
        "k6 ramp virtual users",
    ),
    (
        "db-migrations",
        "Database migrations",
        "Migrations must be backward compatible: add columns first, backfill, then drop the old ones.",
        "backward compatible schema changes",
    ),
    (
        "secrets-rotation",
        "Secret rotation",
        "Vault rotates database credentials every twenty-four hours using dynamic secrets.",
        "vault dynamic database credentials",
    ),
    (
        "onboarding",
        "Engineer onboarding",
        "New hires pair with a buddy, ship a small change in week one and meet each team lead.",
        "first week for new engineers buddy",
    ),
    (
        "offboarding",
        "Offboarding",
        "Revoke access on the last day, collect hardware and transfer document ownership.",
        "revoke access when someone leaves",
    ),
    (
        "holiday-calendar",
        "Public holidays",
        "Offices follow local public holidays; swap a holiday with your manager's approval.",
        "swap a public holiday",
    ),
    (
        "printer",
        "Printer troubleshooting",
        "Paper jams clear from the rear tray; toner orders go through the facilities portal.",
        "printer paper jam",
    ),
    (
        "meeting-rooms",
        "Meeting rooms",
        "Large rooms have video bars; book them with the calendar resource and release if unused.",
        "book a room with video conferencing",
    ),
]


def documents() -> list[tuple[str, str]]:
    """(filename, Markdown) for every entry."""
    return [
        (f"{stem}.md", f"# {title}\n\n{body}\n\n## Notes\n\n{COMMON}\n") for stem, title, body, _ in ENTRIES
    ]


def queries() -> list[tuple[str, str]]:
    """(query, expected filename)."""
    return [(query, f"{stem}.md") for stem, _, _, query in ENTRIES]
