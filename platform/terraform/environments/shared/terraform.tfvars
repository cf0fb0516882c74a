# Non-secret settings of the shared resources. Replace the placeholder subscription and repository
# before the first apply (see ../../README.md).
subscription_id   = "00000000-0000-0000-0000-000000000000"
location          = "westeurope"
owner             = "platform-team"
cost_center       = "cc-medqa-shared"
dns_zone_name     = "medqa.example.com"
github_repository = "example-org/medqa"
# The release job runs in the protected `release` environment (reviewers, main only).
github_release_subjects = ["environment:release"]
