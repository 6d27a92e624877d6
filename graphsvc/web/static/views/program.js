// Program view for strategists: the traditional and ABM funnels side by side, team SLAs, accounts
// by stage and tier, and the target-account recommendations.
import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { useQuery } from '../query.js';
import { Answer } from '../components/status.js';
import { Funnels } from './program/funnels.js';
import { SlaCompliance } from './program/sla.js';
import { AccountsByStage } from './program/stages.js';
import { TargetRecommendations } from './program/targets.js';

const WINDOWS = [30, 60, 90, 180];

const PROGRAM_SCORECARD = `query ProgramScorecard($windowDays: Int!) {
  programScorecard(windowDays: $windowDays) { windowDays traditional abm sla }
}`;

export function ProgramView() {
  const [windowDays, setWindowDays] = useState(90);
  const scorecard = useQuery(PROGRAM_SCORECARD, { windowDays });
  return html`
    <div class="view-title">
      <h2>Program</h2>
      <label>Window
        <select name="window-days" value=${windowDays} onChange=${(e) => setWindowDays(Number(e.target.value))}>
          ${WINDOWS.map((days) => html`<option value=${days}>last ${days} days</option>`)}
        </select>
      </label>
    </div>
    <${Answer} result=${scorecard} render=${({ programScorecard }) => html`
      <div data-window-days=${programScorecard.windowDays}>
        <${Funnels} traditional=${programScorecard.traditional} abm=${programScorecard.abm} />
        <${SlaCompliance} sla=${programScorecard.sla} />
      </div>
    `} />
    <${AccountsByStage} />
    <${TargetRecommendations} />
  `;
}
