/** The CloudWatch namespace of every Poglytics metric: the Lambdas' EMF, the ingesters' scraped series, the dashboards and alarms. */
export const CLOUDWATCH_NAMESPACE = 'Poglytics';
