import { ArnFormat, type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { STATE_NAMES } from '../functions/core/keys.ts';
import { FAN_OUT_RUN_MS } from '../functions/publish/rebuild/fan-out.ts';

/** Items (batches of REBUILD_BATCH files) per child: about 1,000 files, well inside one invocation's time. */
export const ITEMS_PER_CHILD = 4;
/** Children at once: S3 takes 3,500 writes a second per prefix, and each child writes a few a second per batch. */
export const MAX_CONCURRENCY = 200;
/** Children that may fail for good before the map fails: their batches are the publisher's to make (fan-out.ts). */
export const TOLERATED_FAILURE_PERCENT = 5;
/** How long a child's invocation may run at most (a Lambda's longest): the failure path waits this before it says the run is over. */
const LONGEST_CHILD = Duration.minutes(15);

export interface RebuildMachineProps {
  /** The publisher: each child invokes it with a batch of items, and the run's end invokes it to go on. */
  readonly publisher: lambda.IFunction;
  /** The publisher's state: the run's items are read from it, and its end marker written to it. */
  readonly stateBucket: s3.IBucket;
  /** The state machine's name, given so that its ARN is known before it exists (`arnOf`). */
  readonly name: string;
}

/**
 * The full rebuild's render and records steps fanned out (README "Publishing", 10), an execution per step: a
 * Distributed Map reads the step's items (batches of article files the publisher listed; then the batches whose
 * records to write), gives a few to each child, a publisher invocation that makes them (`phase` says which step);
 * then the step's end is written to the state and the publisher told to go on (the index step between the two,
 * the site step after: under its lease, in its order). A child that fails for good is tolerated (its
 * batches are made by the publisher once the run is over); more failures fail the map, whose failure path waits
 * out any child still running, then says the run is over all the same, so the rebuild always finishes.
 * Started by the publisher only (REBUILD_STATE_MACHINE), one execution per step of a run, named by them.
 */
export class RebuildMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  /** The state machine's ARN, made from its name: the publisher's environment names it without depending on it (no cycle). */
  readonly stateMachineArn: string;
  readonly logGroup: logs.LogGroup;

  /** The ARN a state machine of this name has in this stack's account and region. */
  static arnOf(scope: Construct, name: string): string {
    return Stack.of(scope).formatArn({ service: 'states', resource: 'stateMachine', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  }

  constructor(scope: Construct, id: string, props: RebuildMachineProps) {
    super(scope, id);
    const name = props.name;
    this.stateMachineArn = RebuildMachine.arnOf(this, name);
    this.logGroup = new logs.LogGroup(this, 'RebuildLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });

    const make = new tasks.LambdaInvoke(this, 'MakeBatches', {
      lambdaFunction: props.publisher,
      payloadResponseOnly: true,
      // A child's output stays small whatever it met (its rejections are in the publisher's log): the map's results stay far under 256 KiB.
      resultSelector: { 'rendered.$': '$.rendered.rendered' },
      retryOnServiceExceptions: false,
    });
    // Throttling, a cold start's timeout, S3 throttling the child could not ride out: the batch again, a little later.
    make.addRetry({ errors: [sfn.Errors.ALL], interval: Duration.seconds(5), maxAttempts: 2, backoffRate: 3, jitterStrategy: sfn.JitterType.FULL });

    const map = new sfn.DistributedMap(this, 'FanOut', {
      itemReader: new sfn.S3JsonItemReader({ bucketNamePath: sfn.JsonPath.stringAt('$.bucket'), key: sfn.JsonPath.stringAt('$.key') }),
      itemBatcher: new sfn.ItemBatcher({ maxItemsPerBatch: ITEMS_PER_CHILD, batchInput: { 'wirefeed.$': '$.phase', 'run.$': '$.run' } }),
      maxConcurrency: MAX_CONCURRENCY,
      toleratedFailurePercentage: TOLERATED_FAILURE_PERCENT,
      mapExecutionType: sfn.StateMachineType.STANDARD,
      resultPath: sfn.JsonPath.DISCARD,
    });
    map.itemProcessor(make);

    const over = (failed: boolean, suffix: string) =>
      this.endOfRun(props, failed, suffix).next(
        new tasks.LambdaInvoke(this, `GoOn${suffix}`, {
          lambdaFunction: props.publisher,
          // Not waited for: the publisher goes on in its own invocation and time (the minute tick would too).
          invocationType: tasks.LambdaInvocationType.EVENT,
          payload: sfn.TaskInput.fromObject({ wirefeed: 'fanned', run: sfn.JsonPath.stringAt('$.run'), phase: sfn.JsonPath.stringAt('$.phase'), failed }),
          resultPath: sfn.JsonPath.DISCARD,
        }),
      );
    const failure = new sfn.Wait(this, 'WaitOutChildren', { time: sfn.WaitTime.duration(LONGEST_CHILD) })
      .next(over(true, 'AfterFailure'))
      .next(new sfn.Fail(this, 'FanOutFailed', { error: 'FanOutFailed', cause: 'More children failed than tolerated; the publisher makes their batches' }));
    map.addCatch(failure, { errors: [sfn.Errors.ALL], resultPath: '$.error' });

    this.stateMachine = new sfn.StateMachine(this, 'Machine', {
      stateMachineName: name,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(map.next(over(false, ''))),
      comment: 'wirefeed: a step of the full rebuild of a large archive (render, records), fanned out',
      timeout: Duration.millis(FAN_OUT_RUN_MS),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ERROR, includeExecutionData: false },
    });
    // Reads the run's items (the item reader given a bucket by path grants nothing itself); EndOfStep grants the write of its end.
    this.stateMachine.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [props.stateBucket.arnForObjects(`${STATE_NAMES.rebuildBatches}*/${STATE_NAMES.fanItems}`)] }));
    this.acknowledge(props);
  }

  /** Every cdk-nag finding on the machine, acknowledged one by one with its reason: a new one still fails synthesis. */
  private acknowledge(props: RebuildMachineProps): void {
    const stack = Stack.of(this);
    const bucket = `<${stack.getLogicalId(props.stateBucket.node.defaultChild as CfnElement)}.Arn>`;
    const fn = `<${stack.getLogicalId(props.publisher.node.defaultChild as CfnElement)}.Arn>`;
    const machine = `{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${stack.getLogicalId(this.stateMachine.node.defaultChild as CfnElement)}"}]}]}`;
    const execution = `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${machine}`;
    const findings: Record<string, string> = {
      [`AwsSolutions-IAM5[Resource::${bucket}/${STATE_NAMES.rebuildBatches}*/${STATE_NAMES.fanItems}]`]:
        "Reads a run's items (the item reader): that one object name in each run's folder of the state bucket.",
      [`AwsSolutions-IAM5[Resource::${bucket}/${STATE_NAMES.rebuildBatches}*/${STATE_NAMES.fanEnded}]`]: "Writes a run's end: that one object name in each run's folder of the state bucket.",
      [`AwsSolutions-IAM5[Resource::${fn}:*]`]: 'Invokes the publisher (LambdaInvoke grants its versions and aliases too): that one function.',
      'AwsSolutions-IAM5[Resource::*]': 'X-Ray tracing and log delivery: AWS defines these actions on no resource but "*".',
      [`AwsSolutions-IAM5[Resource::${execution}:*]`]: "The Distributed Map runs and stops its own children: this machine's executions only.",
      [`AwsSolutions-IAM5[Resource::${execution}/*:*]`]: "The Distributed Map describes its own map runs' children: this machine's executions only.",
      'AwsSolutions-SF1': 'Logs errors, not ALL: a million-article rebuild has thousands of children, each of whose every state would be logged; a failure is in the log and raises the alarm.',
    };
    for (const [id, reason] of Object.entries(findings)) Validations.of(this.stateMachine).acknowledge({ id, reason });
  }

  /** The run is over: its marker written straight to the state (retried by Step Functions), whatever the publisher does next. */
  private endOfRun(props: RebuildMachineProps, failed: boolean, suffix: string): tasks.CallAwsService {
    const put = new tasks.CallAwsService(this, `EndOfStep${suffix}`, {
      service: 's3',
      action: 'putObject',
      parameters: {
        Bucket: sfn.JsonPath.stringAt('$.bucket'),
        Key: sfn.JsonPath.stringAt('$.ended'),
        Body: JSON.stringify({ failed }),
        ContentType: 'application/json',
      },
      iamAction: 's3:PutObject',
      iamResources: [props.stateBucket.arnForObjects(`${STATE_NAMES.rebuildBatches}*/${STATE_NAMES.fanEnded}`)],
      resultPath: sfn.JsonPath.DISCARD,
    });
    put.addRetry({ errors: [sfn.Errors.ALL], interval: Duration.seconds(5), maxAttempts: 6, backoffRate: 2, jitterStrategy: sfn.JitterType.FULL });
    return put;
  }
}
