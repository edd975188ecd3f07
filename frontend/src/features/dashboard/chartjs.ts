// Chart.js with only what the dashboard draws registered (bars, lines, two axes, tooltips, legend), so
// the lazy dashboard chunk stays small. Only this feature imports it; the inbox never loads it.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js'

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend)

export { Chart }
