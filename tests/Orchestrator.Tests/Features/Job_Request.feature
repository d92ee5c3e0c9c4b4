Feature: Job request
  The shortlisted provider is asked to lock the resources (unless it locked them with its bid). A decline or no
  answer within the job-request timeout moves the job to the next candidate, and what was locked is released.

  Scenario: The shortlisted provider locks the resources on request
    Given a node with these compute providers:
      | id   | cpu | ram  | disk | price |
      | cp-a | 8   | 8192 | 100  | 1.0   |
    When a user posts a job "job-1" needing 2 CPU cores, 1024 MB of RAM and 10 GB of disk
    Then the job is contracted with "cp-a"
    And the job's history is Posted, Searching, Matched, Requested, Contracted

  Scenario: A provider that locked with its bid is not asked again
    Given a node with these compute providers:
      | id   | cpu | ram  | disk | price | locks on bid |
      | cp-a | 8   | 8192 | 100  | 1.0   | yes          |
    When a user posts a job "job-1" needing 2 CPU cores, 1024 MB of RAM and 10 GB of disk
    Then the job is contracted with "cp-a"
    And the job's history is Posted, Searching, Matched, Contracted

  Scenario: A declined job request moves the job to the next candidate
    Given a node with these compute providers:
      | id   | cpu | ram  | disk | price | behaviour               |
      | cp-a | 8   | 8192 | 100  | 0.5   | declines job requests   |
      | cp-b | 8   | 8192 | 100  | 2.0   | answers normally        |
    When a user posts a job "job-1" needing 2 CPU cores, 1024 MB of RAM and 10 GB of disk
    Then the job is contracted with "cp-b"
    And "cp-a" declined at the job-request phase

  Scenario: A job request with no answer is a TimeoutResponse and the job moves on
    Given a node with these compute providers:
      | id   | cpu | ram  | disk | price | behaviour               |
      | cp-a | 8   | 8192 | 100  | 0.5   | ignores job requests    |
      | cp-b | 8   | 8192 | 100  | 2.0   | answers normally        |
    And the job-request timeout is 1 second
    When a user posts a job "job-1" needing 2 CPU cores, 1024 MB of RAM and 10 GB of disk
    Then the job is contracted with "cp-b"
    And "cp-a" timed out at the job-request phase after 1 second

  Scenario: When every candidate declines the job request, a push job fails with the reasons
    Given a node with these compute providers:
      | id   | cpu | ram  | disk | price | behaviour               |
      | cp-a | 8   | 8192 | 100  | 0.5   | declines job requests   |
    When a user posts a push job "job-1" to "cp-a" needing 2 CPU cores, 1024 MB of RAM and 10 GB of disk
    Then the job fails with reason "all-candidates-declined"
    And the failure message says "cp-a declined at job-request"
