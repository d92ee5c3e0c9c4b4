Feature: Push search and match
  In push orchestration the user names the providers, in order of preference; only those are asked.

  Background:
    Given a node with these compute providers:
      | id   | cpu | ram  | disk | price |
      | cp-a | 8   | 8192 | 100  | 1.0   |
      | cp-b | 8   | 8192 | 100  | 0.5   |
      | cp-c | 1   | 1024 | 10   | 0.1   |

  Scenario: Only the named provider is asked, even if another is cheaper
    When a user posts a push job "job-1" to "cp-a" needing 2 CPU cores, 1024 MB of RAM and 10 GB of disk
    Then the job is contracted with "cp-a"
    And only "cp-a" was asked to bid

  Scenario: The user's first choice wins when it can run the job
    When a user posts a push job "job-1" to "cp-a, cp-b" needing 2 CPU cores, 1024 MB of RAM and 10 GB of disk
    Then the job is contracted with "cp-a"

  Scenario: A named provider that cannot run the job fails the push job at once
    When a user posts a push job "job-1" to "cp-c" needing 4 CPU cores, 1024 MB of RAM and 10 GB of disk
    Then the job fails with reason "no-eligible-provider"

  Scenario: A push job naming a provider the node does not know fails, saying so
    When a user posts a push job "job-1" to "cp-nowhere" needing 2 CPU cores, 1024 MB of RAM and 10 GB of disk
    Then the job fails with reason "no-eligible-provider"
    And "cp-nowhere" declined at the bid phase

  Scenario: The orchestration type is overridden per job on a node that defaults to push
    Given the node orchestrates push jobs by default
    When a user posts a pull job "job-1" needing 2 CPU cores, 1024 MB of RAM and 10 GB of disk
    Then the job is contracted with "cp-b"
