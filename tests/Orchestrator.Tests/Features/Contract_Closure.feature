Feature: Contract closure
  Before a contract is signed, the service provider and the compute provider each verify that the other is
  approved to take part in the network. A failed verification is a decline, and the job moves on.

  Scenario: Approved parties sign a contract naming both of them
    Given a node with these compute providers:
      | id   | cpu | ram  | disk | price |
      | cp-a | 8   | 8192 | 100  | 1.5   |
    When a user posts a job "job-1" needing 2 CPU cores, 1024 MB of RAM and 10 GB of disk
    Then the job is contracted with "cp-a"
    And the contract is between "sp-spec" and "cp-a" at 1.5 per hour
    And "cp-a" holds the contract for "job-1"

  Scenario: A provider not approved by the network fails verification and another is contracted
    Given a node with these compute providers:
      | id   | cpu | ram  | disk | price | behaviour        |
      | cp-a | 8   | 8192 | 100  | 0.5   | not approved     |
      | cp-b | 8   | 8192 | 100  | 2.0   | answers normally |
    When a user posts a job "job-1" needing 2 CPU cores, 1024 MB of RAM and 10 GB of disk
    Then the job is contracted with "cp-b"
    And "cp-a" declined at the contract-closure phase with "verification-failed"
    And "cp-a" holds no lock for "job-1"

  Scenario: Verification failing for every provider fails the job with that reason
    Given a node with these compute providers:
      | id   | cpu | ram  | disk | price | behaviour    |
      | cp-a | 8   | 8192 | 100  | 0.5   | not approved |
    And jobs have a deadline of 15 seconds
    When a user posts a push job "job-1" to "cp-a" needing 2 CPU cores, 1024 MB of RAM and 10 GB of disk
    Then the job fails with reason "verification-failed"
    And the failure message says "not approved"

  Scenario: A provider that declines the contract is dropped and another is contracted
    Given a node with these compute providers:
      | id   | cpu | ram  | disk | price | behaviour          |
      | cp-a | 8   | 8192 | 100  | 0.5   | declines contracts |
      | cp-b | 8   | 8192 | 100  | 2.0   | answers normally   |
    When a user posts a job "job-1" needing 2 CPU cores, 1024 MB of RAM and 10 GB of disk
    Then the job is contracted with "cp-b"
    And "cp-a" declined at the contract-closure phase
