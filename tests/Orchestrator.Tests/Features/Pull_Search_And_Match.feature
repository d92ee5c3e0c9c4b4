Feature: Pull search and match
  In pull orchestration the node chooses the candidates: every known provider that can run the job is asked to
  bid; those that cannot are ruled out with the constraint they fail.

  Scenario: The providers that fit are asked and the best bid wins
    Given a node with these compute providers:
      | id      | cpu | ram   | disk | price |
      | cp-tiny | 1   | 1024  | 10   | 0.5   |
      | cp-a    | 8   | 8192  | 100  | 2.0   |
      | cp-b    | 16  | 16384 | 100  | 1.0   |
    When a user posts a job "job-1" needing 4 CPU cores, 2048 MB of RAM and 10 GB of disk
    Then the job is contracted with "cp-b"
    And the search considered 3 providers and ruled out 1 for "insufficient-cpu"

  Scenario: No provider can run the job
    Given a node with these compute providers:
      | id   | cpu | ram  | disk | price |
      | cp-a | 2   | 2048 | 10   | 1.0   |
    And jobs have a deadline of 6 seconds
    When a user posts a job "job-1" needing 8 CPU cores, 1024 MB of RAM and 10 GB of disk
    Then the job fails with reason "no-eligible-provider"
    And the failure message says "insufficient-cpu"

  Scenario: A provider that declines the bid request is not ranked, and another wins
    Given a node with these compute providers:
      | id   | cpu | ram  | disk | price | behaviour            |
      | cp-a | 8   | 8192 | 100  | 0.5   | declines bids        |
      | cp-b | 8   | 8192 | 100  | 2.0   | answers normally     |
    When a user posts a job "job-1" needing 2 CPU cores, 1024 MB of RAM and 10 GB of disk
    Then the job is contracted with "cp-b"
    And "cp-a" declined at the bid phase

  Scenario: A provider that does not answer within the search timeout is left out
    Given a node with these compute providers:
      | id   | cpu | ram  | disk | price | behaviour            |
      | cp-a | 8   | 8192 | 100  | 0.5   | ignores bid requests |
      | cp-b | 8   | 8192 | 100  | 2.0   | answers normally     |
    And the search timeout is 1 second
    When a user posts a job "job-1" needing 2 CPU cores, 1024 MB of RAM and 10 GB of disk
    Then the job is contracted with "cp-b"
    And "cp-a" timed out at the bid phase after 1 second

  Scenario: A pull job that finds nothing searches again and contracts when capacity appears
    Given a node with these compute providers:
      | id   | cpu | ram  | disk | price |
      | cp-a | 2   | 2048 | 10   | 1.0   |
    When a user posts a job "job-1" needing 4 CPU cores, 1024 MB of RAM and 10 GB of disk
    And the job has searched 2 times
    And a provider "cp-new" with 8 CPU cores joins
    Then the job is contracted with "cp-new"
