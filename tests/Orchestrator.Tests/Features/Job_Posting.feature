Feature: Job posting
  A user posts a job description; the node validates it, stores it durably, and only then says it is accepted.
  Invalid input is refused with the field named, and nothing is stored.

  Background:
    Given a node with these compute providers:
      | id   | cpu | ram  | disk | price |
      | cp-a | 8   | 8192 | 100  | 1.0   |

  Scenario: A valid job is accepted and goes on to a contract
    When a user posts a job "job-1" needing 2 CPU cores, 1024 MB of RAM and 10 GB of disk
    Then the job is accepted as a new job
    And the job is contracted with "cp-a"
    And the job's history is Posted, Searching, Matched, Requested, Contracted

  Scenario: Posting the same job twice is idempotent
    When a user posts a job "job-1" needing 2 CPU cores, 1024 MB of RAM and 10 GB of disk
    And a user posts a job "job-1" needing 2 CPU cores, 1024 MB of RAM and 10 GB of disk
    Then the job is accepted as an existing job
    And the job is contracted with "cp-a"

  Scenario: The same id with another description is a conflict
    When a user posts a job "job-1" needing 2 CPU cores, 1024 MB of RAM and 10 GB of disk
    And a user posts a job "job-1" needing 4 CPU cores, 1024 MB of RAM and 10 GB of disk
    Then the post is refused as a conflict

  Scenario: A job asking for no CPU is rejected naming the field
    When a user posts a job "job-bad" needing 0 CPU cores, 1024 MB of RAM and 10 GB of disk
    Then the post is rejected naming "requirements.resources.cpuCores"
    And no job "job-bad" exists

  Scenario: A job asking for an absurd amount of memory is rejected naming the field
    When a user posts a job "job-huge" needing 2 CPU cores, 999999999999 MB of RAM and 10 GB of disk
    Then the post is rejected naming "requirements.resources.ramMb"
    And no job "job-huge" exists
