import type { ValidationPlan } from '../coverage/plan.ts';
import { planEvaluations } from '../coverage/plan.ts';
import type { CoverageService } from './coverage.ts';
import type { CreatedValidation, RunRequest, ValidationService } from './validation.ts';

/** How a plan runs: the integration, the executor and its options; `host` fills a plan's open host. */
export type PlanRunRequest = Omit<RunRequest, 'techniques' | 'host' | 'name'> & {
  host?: string | undefined;
  /** The validations' name; default `<actor>: evaluation i/n`. */
  name?: string | undefined;
};

/**
 * Campaigns from threat intelligence (issue 14): an actor's techniques as an action plan, run as
 * one validation per evaluation of at most 100 actions through `ValidationService.runActions`.
 */
export class CampaignService {
  constructor(
    private readonly coverage: CoverageService,
    private readonly validations: ValidationService,
  ) {}

  /** The action plan of an actor's techniques on `hosts` (see `CoverageService.planForActor`). */
  plan(actor: string, hosts: readonly string[] = []): Promise<ValidationPlan> {
    return this.coverage.planForActor(actor, hosts);
  }

  /**
   * Runs a plan: each evaluation becomes one validation, in order (every host checked before the
   * first runs). Returns the validations created.
   */
  async run(plan: ValidationPlan, request: PlanRunRequest): Promise<CreatedValidation[]> {
    const { host, name, ...rest } = request;
    const evaluations = planEvaluations(plan, host);
    const created: CreatedValidation[] = [];
    for (const [i, actions] of evaluations.entries()) {
      const suffix = evaluations.length === 1 ? '' : ` ${i + 1}/${evaluations.length}`;
      created.push(
        await this.validations.runActions({
          ...rest,
          actions,
          name: `${name ?? `${plan.actor.name}: campaign`}${suffix}`,
        }),
      );
    }
    return created;
  }

  /** Plans an actor's techniques on `hosts` and runs the plan at once. */
  async runForActor(
    actor: string,
    hosts: readonly string[],
    request: PlanRunRequest,
  ): Promise<{ plan: ValidationPlan; validations: CreatedValidation[] }> {
    const plan = await this.plan(actor, hosts);
    return { plan, validations: await this.run(plan, request) };
  }
}
